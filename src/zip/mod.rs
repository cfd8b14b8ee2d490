//! The zip format, both ways, in one place: [`write`] makes the deterministic archives releases
//! are, [`read`] reads an archive only when every extractor would unpack the same files from it.
//!
//! The two agree by construction: the writer emits entries that tile the file from offset 0, one
//! local header per central entry with the same name, method, flags, CRC-32 and sizes, portable
//! UTF-8 names, no extra fields but zip64 ones, and one end record at the very end; the reader
//! accepts exactly that family of archives (and the harmless variations other writers make: data
//! descriptors, timestamp extras, directory entries), and refuses everything else with a stable
//! code naming the entry. A property test writes archives and reads them back.
//!
//! The format is APPNOTE 6.3.10 (PKWARE); zip64 where sizes, offsets or counts need it.

pub mod read;
pub mod write;

/// Signatures of the records of a zip.
pub(crate) const LOCAL_HEADER: [u8; 4] = *b"PK\x03\x04";
pub(crate) const CENTRAL_HEADER: [u8; 4] = *b"PK\x01\x02";
pub(crate) const END_RECORD: [u8; 4] = *b"PK\x05\x06";
pub(crate) const ZIP64_END_RECORD: [u8; 4] = *b"PK\x06\x06";
pub(crate) const ZIP64_LOCATOR: [u8; 4] = *b"PK\x06\x07";
pub(crate) const DATA_DESCRIPTOR: [u8; 4] = *b"PK\x07\x08";

#[cfg(test)]
mod tests {
    use super::read::{self, Kind, Names};
    use super::write::Zipper;
    use proptest::prelude::*;

    /// Names as a release has them (portable, none equal to another once folded), and contents
    /// both compressible and not.
    fn entries() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
        let name = (
            "(data|data/raw|data/text/ş)",
            "[a-zA-Z0-9əışçğü _-]{0,12}[a-z0-9]",
        );
        let content = prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..3000),
            "[a-z \n]{0,5000}".prop_map(String::into_bytes),
        ];
        proptest::collection::vec((name, content), 1..40).prop_map(|items| {
            items
                .into_iter()
                .enumerate()
                .map(|(i, ((folder, stem), content))| (format!("{folder}/{stem}.{i}"), content))
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever archivist writes, its reader accepts, and reads back as written; the zip
        /// crate reads the same.
        #[test]
        fn what_the_writer_writes_the_reader_accepts_and_reads_back(files in entries()) {
            let dir = tempfile::tempdir().unwrap();
            let date = jiff::civil::date(2026, 12, 1);
            let mut zip = Zipper::new(Vec::new(), "top", date, dir.path()).unwrap();
            for (path, content) in &files {
                zip.add(path, content, None).unwrap();
            }
            let bytes = zip.finish().unwrap().writer;
            let path = dir.path().join("a.zip");
            std::fs::write(&path, &bytes).unwrap();
            let file = std::fs::File::open(&path).unwrap();
            let directory = read::directory(&file).unwrap();
            let mut problems = Vec::new();
            let mut names = Names::new(dir.path());
            let mut read_back = Vec::new();
            read::walk(&file, &directory, &read::Limits::default(), &mut problems, &mut |e| {
                names.push(&e.path, e.kind)?;
                let mut data = Vec::new();
                read::read(&file, &e.data, &mut |c| data.extend_from_slice(c))?;
                read_back.push((e.path.as_str().to_owned(), e.kind, data));
                Ok(())
            }).unwrap();
            problems.extend(names.finish().unwrap());
            prop_assert!(problems.is_empty(), "{:?}", problems);
            let written: Vec<(String, Kind, Vec<u8>)> = files
                .iter()
                .map(|(p, c)| (format!("top/{p}"), Kind::File, c.clone()))
                .collect();
            prop_assert_eq!(&read_back, &written);
            let mut archive = ::zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            for (i, (name, _, content)) in written.iter().enumerate() {
                let mut entry = archive.by_index(i).unwrap();
                prop_assert_eq!(entry.name().unwrap(), name.as_str());
                let mut data = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
                prop_assert_eq!(&data, content);
            }
        }
    }

    #[test]
    fn the_writer_s_zip64_end_records_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let date = jiff::civil::date(2026, 12, 1);
        let mut zip = Zipper::new(Vec::new(), "t", date, dir.path()).unwrap();
        for i in 0..70_000 {
            zip.add(&format!("d/{i}"), b"", None).unwrap();
        }
        let path = dir.path().join("a.zip");
        std::fs::write(&path, zip.finish().unwrap().writer).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let directory = read::directory(&file).unwrap();
        assert_eq!(directory.count, 70_000);
        let (mut problems, mut count) = (Vec::new(), 0);
        read::walk(
            &file,
            &directory,
            &read::Limits::default(),
            &mut problems,
            &mut |_| {
                count += 1;
                Ok(())
            },
        )
        .unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(count, 70_000);
    }
}
