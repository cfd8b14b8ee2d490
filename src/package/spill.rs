//! What a release gathers per document, kept on disk until the end: the records (with the
//! dataset card's row of each) and the payload files' sizes and digests. Memory holds neither,
//! so it does not grow with the number of documents.
//!
//! Both are read back in two orders: as written (document by document, in path order), and
//! sorted (records by id, files by path, as `records.jsonl`, the card and the manifests list
//! them). Documents come in path order, which is almost always id order and path order too:
//! then the sorted order is the written order and is streamed. When it is not (an id that
//! sorts differently from its path), the spill is sorted externally ([`crate::sort`]), in
//! constant memory too.

use super::bagit::BagFile;
use crate::error::{Error, Result};
use crate::sort::{self, ExternalSort, Field};
use crate::spool::{Spool, Spooled, get_field, put_field};
use std::io::{Read, Write};
use std::path::Path;

/// Spools keep this much in memory before they move to a temporary file.
const IN_MEMORY: usize = 1 << 20;

/// Records as JSON lines, and card rows, keyed by document id.
pub struct RecordSpill {
    dir: std::path::PathBuf,
    spool: Spool,
    last_id: Option<String>,
    sorted: bool,
}

impl RecordSpill {
    pub fn new(dir: &Path) -> RecordSpill {
        RecordSpill {
            dir: dir.to_owned(),
            spool: Spool::new(dir, IN_MEMORY),
            last_id: None,
            sorted: true,
        }
    }

    pub fn push(&mut self, id: &str, line: &str, row: &str) -> Result<()> {
        if self.last_id.as_deref().is_some_and(|last| last >= id) {
            self.sorted = false;
        }
        self.last_id = Some(id.to_owned());
        for field in [id, line, row] {
            put_field(&mut self.spool, field.as_bytes())?;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<Records> {
        let spooled = self.spool.finish()?;
        let order = if self.sorted {
            None
        } else {
            // Where each document's fields start, sorted by id (externally: in constant memory).
            let mut index = ExternalSort::<(String, u64)>::new(&self.dir, sort::BUDGET);
            let mut reader = spooled.reader();
            let (mut id, mut field) = (Vec::new(), Vec::new());
            let mut offset = 0u64;
            while get_field(&mut reader, &mut id)? {
                let start = offset;
                offset += 4 + id.len() as u64;
                for _ in 0..2 {
                    get_field(&mut reader, &mut field)?;
                    offset += 4 + field.len() as u64;
                }
                index.push((String::from_utf8_lossy(&id).into_owned(), start))?;
            }
            let mut order = Spool::new(&self.dir, IN_MEMORY);
            for item in index.finish()? {
                order.write_all(&item?.1.to_le_bytes())?;
            }
            Some(order.finish()?)
        };
        Ok(Records { spooled, order })
    }
}

/// A finished [`RecordSpill`].
pub struct Records {
    spooled: Spooled,
    /// Offsets (little-endian `u64`s) in id order, when the documents did not come in id order.
    order: Option<Spooled>,
}

impl Records {
    /// Each document's record line and card row (without newlines), in id order.
    pub fn for_each(&self, mut visit: impl FnMut(&[u8], &[u8]) -> Result<()>) -> Result<()> {
        let (mut id, mut line, mut row) = (Vec::new(), Vec::new(), Vec::new());
        let mut next = |reader: &mut dyn Read| -> Result<bool> {
            if !get_field(reader, &mut id)? {
                return Ok(false);
            }
            if !(get_field(reader, &mut line)? && get_field(reader, &mut row)?) {
                return Err(spill_damaged());
            }
            visit(&line, &row)?;
            Ok(true)
        };
        match &self.order {
            None => {
                let mut reader = self.spooled.reader();
                while next(&mut reader)? {}
            }
            Some(order) => {
                let mut offsets = order.reader();
                while let Some(offset) = <u64 as Field>::get(&mut offsets)? {
                    next(&mut self.spooled.reader_at(offset))?;
                }
            }
        }
        Ok(())
    }
}

/// The payload files of the documents, two per document (raw, then text), and the dataset's own
/// payload files (few, kept in memory).
pub struct PayloadSpill {
    dir: std::path::PathBuf,
    spool: Option<Spool>,
    spooled: Option<Spooled>,
    last: [Option<String>; 2],
    sorted: bool,
    extras: Vec<BagFile>,
    files: u64,
    bytes: u64,
}

impl PayloadSpill {
    pub fn new(dir: &Path) -> PayloadSpill {
        PayloadSpill {
            dir: dir.to_owned(),
            spool: Some(Spool::new(dir, IN_MEMORY)),
            spooled: None,
            last: [None, None],
            sorted: true,
            extras: Vec::new(),
            files: 0,
            bytes: 0,
        }
    }

    /// A document's raw and text files.
    pub fn push_document(&mut self, raw: &BagFile, text: &BagFile) -> Result<()> {
        let Some(spool) = &mut self.spool else {
            panic!("documents' files pushed after finish_documents");
        };
        for (kind, file) in [raw, text].into_iter().enumerate() {
            if self.last[kind]
                .as_deref()
                .is_some_and(|last| last >= file.path.as_str())
            {
                self.sorted = false;
            }
            self.last[kind] = Some(file.path.clone());
            put_field(spool, file.path.as_bytes())?;
            spool.write_all(&file.bytes.to_le_bytes())?;
            spool.write_all(&file.sha256)?;
            spool.write_all(&file.sha512)?;
            self.files += 1;
            self.bytes += file.bytes;
        }
        Ok(())
    }

    /// One of the dataset's own files (records, schema, descriptions).
    pub fn push(&mut self, file: BagFile) {
        self.files += 1;
        self.bytes += file.bytes;
        self.extras.push(file);
    }

    /// The dataset's own files, in the order pushed.
    pub fn extras(&self) -> &[BagFile] {
        &self.extras
    }

    /// Files and bytes so far (for `bag-info.txt`).
    pub fn totals(&self) -> (u64, u64) {
        (self.files, self.bytes)
    }

    /// Stop adding documents' files (the dataset's own may still be pushed).
    pub fn finish_documents(&mut self) -> Result<()> {
        if let Some(spool) = self.spool.take() {
            self.spooled = Some(spool.finish()?);
        }
        Ok(())
    }

    fn spooled(&self) -> &Spooled {
        self.spooled
            .as_ref()
            .expect("finish_documents is called before the files are read")
    }

    /// Every file in the order added: documents first, then the dataset's own files.
    pub fn for_each_in_order(&self, mut visit: impl FnMut(&BagFile) -> Result<()>) -> Result<()> {
        let mut reader = self.spooled().reader();
        let mut file = empty_file();
        while read_file(&mut reader, &mut file)? {
            visit(&file)?;
        }
        self.extras.iter().try_for_each(visit)
    }

    /// Every file sorted by path, as manifests list them.
    pub fn for_each_sorted(&self, mut visit: impl FnMut(&BagFile) -> Result<()>) -> Result<()> {
        if !self.sorted {
            // Documents whose paths do not sort as they came: sort them all (externally, in
            // constant memory), each as its path and the rest of its fields.
            let mut all = ExternalSort::<(String, Vec<u8>)>::new(&self.dir, sort::BUDGET);
            self.for_each_in_order(|file| {
                let mut rest = Vec::with_capacity(8 + 32 + 64);
                rest.extend_from_slice(&file.bytes.to_le_bytes());
                rest.extend_from_slice(&file.sha256);
                rest.extend_from_slice(&file.sha512);
                Ok(all.push((file.path.clone(), rest))?)
            })?;
            for item in all.finish()? {
                let (path, rest) = item?;
                let mut file = empty_file();
                read_file_rest(&mut rest.as_slice(), &mut file)?;
                file.path = path;
                visit(&file)?;
            }
            return Ok(());
        }
        let mut extras: Vec<&BagFile> = self.extras.iter().collect();
        extras.sort_by(|a, b| a.path.cmp(&b.path));
        // Raw files, text files and the dataset's own: three sorted runs, merged.
        let mut raw = Kind::new(self.spooled(), 0)?;
        let mut text = Kind::new(self.spooled(), 1)?;
        let mut extras = extras.into_iter().peekable();
        loop {
            let heads = [
                raw.head.as_ref(),
                text.head.as_ref(),
                extras.peek().copied(),
            ];
            let Some((which, _)) = heads
                .iter()
                .enumerate()
                .filter_map(|(i, f)| f.map(|f| (i, f)))
                .min_by(|a, b| a.1.path.cmp(&b.1.path))
            else {
                return Ok(());
            };
            match which {
                0 => raw.visit_and_advance(&mut visit)?,
                1 => text.visit_and_advance(&mut visit)?,
                _ => visit(extras.next().expect("peeked"))?,
            }
        }
    }
}

/// The files of one kind (0 raw, 1 text) from the documents' spill, in the order written.
struct Kind<'a> {
    reader: Box<dyn Read + 'a>,
    kind: usize,
    head: Option<BagFile>,
}

impl<'a> Kind<'a> {
    fn new(spooled: &'a Spooled, kind: usize) -> Result<Kind<'a>> {
        let mut this = Kind {
            reader: Box::new(spooled.reader()),
            kind,
            head: None,
        };
        this.advance()?;
        Ok(this)
    }

    fn advance(&mut self) -> Result<()> {
        let mut pair = [empty_file(), empty_file()];
        let [raw, text] = &mut pair;
        self.head = if read_file(&mut self.reader, raw)? {
            if !read_file(&mut self.reader, text)? {
                return Err(spill_damaged());
            }
            Some(std::mem::replace(&mut pair[self.kind], empty_file()))
        } else {
            None
        };
        Ok(())
    }

    fn visit_and_advance(&mut self, visit: &mut impl FnMut(&BagFile) -> Result<()>) -> Result<()> {
        if let Some(file) = &self.head {
            visit(file)?;
        }
        self.advance()
    }
}

fn empty_file() -> BagFile {
    BagFile {
        path: String::new(),
        bytes: 0,
        sha256: [0; 32],
        sha512: [0; 64],
    }
}

/// The next file of a payload spill into `file`; `false` at the end.
fn read_file(reader: &mut (impl Read + ?Sized), file: &mut BagFile) -> Result<bool> {
    let mut path = std::mem::take(&mut file.path).into_bytes();
    if !get_field(reader, &mut path)? {
        return Ok(false);
    }
    file.path = String::from_utf8(path).map_err(|_| spill_damaged())?;
    read_file_rest(reader, file)?;
    Ok(true)
}

/// A file's size and digests, as they follow its path in a payload spill.
fn read_file_rest(reader: &mut (impl Read + ?Sized), file: &mut BagFile) -> Result<()> {
    let mut bytes = [0u8; 8];
    reader.read_exact(&mut bytes)?;
    file.bytes = u64::from_le_bytes(bytes);
    reader.read_exact(&mut file.sha256)?;
    reader.read_exact(&mut file.sha512)?;
    Ok(())
}

fn spill_damaged() -> Error {
    Error::Io(crate::spool::damaged())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, n: u8) -> BagFile {
        BagFile {
            path: path.to_owned(),
            bytes: u64::from(n),
            sha256: [n; 32],
            sha512: [n; 64],
        }
    }

    fn spill(dir: &Path, ids: &[&str]) -> PayloadSpill {
        let mut spill = PayloadSpill::new(dir);
        for (n, id) in ids.iter().enumerate() {
            spill
                .push_document(
                    &file(&format!("data/raw/{id}.txt"), n as u8),
                    &file(&format!("data/text/{id}.txt"), n as u8),
                )
                .unwrap();
        }
        spill.finish_documents().unwrap();
        spill.push(file("data/records.jsonl", 100));
        spill.push(file("data/README.md", 101));
        spill
    }

    fn paths(spill: &PayloadSpill, sorted: bool) -> Vec<String> {
        let mut out = Vec::new();
        let visit = |f: &BagFile| {
            out.push(f.path.clone());
            Ok(())
        };
        if sorted {
            spill.for_each_sorted(visit).unwrap();
        } else {
            spill.for_each_in_order(visit).unwrap();
        }
        out
    }

    #[test]
    fn payload_files_come_back_in_order_and_sorted_whether_they_came_sorted_or_not() {
        let dir = std::env::temp_dir();
        for ids in [&["a", "b", "c"][..], &["b", "a", "c"], &["a-b", "a"]] {
            let spill = spill(&dir, ids);
            assert_eq!(spill.totals(), (ids.len() as u64 * 2 + 2, spill.totals().1));
            let in_order = paths(&spill, false);
            let mut expected: Vec<String> = ids
                .iter()
                .flat_map(|id| [format!("data/raw/{id}.txt"), format!("data/text/{id}.txt")])
                .collect();
            expected.extend(["data/records.jsonl".into(), "data/README.md".into()]);
            assert_eq!(in_order, expected);
            expected.sort();
            assert_eq!(paths(&spill, true), expected, "{ids:?}");
            // And again: reading does not use the spill up.
            assert_eq!(paths(&spill, true), expected);
        }
    }

    #[test]
    fn records_come_back_in_id_order() {
        let dir = std::env::temp_dir();
        for ids in [&["a", "b", "c"][..], &["c", "a", "b"]] {
            let mut spill = RecordSpill::new(&dir);
            for id in ids {
                spill
                    .push(id, &format!("{{\"id\":\"{id}\"}}"), &format!("| {id} |"))
                    .unwrap();
            }
            let records = spill.finish().unwrap();
            let mut seen = Vec::new();
            records
                .for_each(|line, row| {
                    seen.push((
                        String::from_utf8(line.to_vec()).unwrap(),
                        String::from_utf8(row.to_vec()).unwrap(),
                    ));
                    Ok(())
                })
                .unwrap();
            assert_eq!(
                seen,
                ["a", "b", "c"].map(|id| (format!("{{\"id\":\"{id}\"}}"), format!("| {id} |")))
            );
        }
    }
}
