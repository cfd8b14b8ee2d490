//! The zip recipe: what it takes to rebuild a release zip byte for byte from the files of its bag,
//! so a repository that keeps the bag's files (OCFL) can give back the very archive that was
//! deposited, whichever writer made it.
//!
//! A zip is its entries' compressed data plus everything else (local headers, data descriptors,
//! the central directory, the end records). The recipe keeps "everything else" as the
//! *skeleton*: the zip's bytes with the compressed data of some entries cut out. An entry's data
//! is cut out only when one of the deflaters archivist carries recompresses the bag file to the
//! very same bytes (archivist's own writer: libdeflate level 6, or zlib-rs level 6 for large
//! entries; stored entries are the file itself); the data of any other entry stays in the
//! skeleton. The recipe (`<zip>.recipe.json`) lists the cut-out regions: offset, length, the bag
//! path whose file makes them and how. [`make`] writes both and checks nothing; the deposit then
//! rebuilds the zip from the files it stored ([`rebuild`]) and refuses when the SHA-256 differs.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

/// The recipe's format name and version.
pub const FORMAT: &str = "archivist-zip-recipe/1";

/// One entry's compressed data, made again from a bag file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Region {
    /// Where the compressed data starts in the zip.
    pub offset: u64,
    /// Its length.
    pub length: u64,
    /// The bag path of the file it is made from.
    pub path: String,
    /// `stored`, `libdeflate-6` or `zlib-rs-6`.
    pub method: String,
}

/// The recipe, as `<zip>.recipe.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Recipe {
    pub format: String,
    /// The zip's file name.
    pub zip: String,
    /// Its size and SHA-256.
    pub bytes: u64,
    pub sha256: String,
    /// The skeleton's size: the zip's bytes outside the regions, in order.
    pub skeleton_bytes: u64,
    /// The regions made from bag files, in order of offset.
    pub regions: Vec<Region>,
}

const METHODS: [&str; 3] = ["stored", "libdeflate-6", "zlib-rs-6"];
/// Entries up to this size are tried with libdeflate (one shot, in memory) first.
const ONE_SHOT_MAX: u64 = if cfg!(test) { 1 << 20 } else { 64 << 20 };
/// Larger ones up to this size are tried with libdeflate after zlib-rs (a document that large
/// was held in memory whole by the release that wrote it).
const LIBDEFLATE_MAX: u64 = 1 << 30;

/// Make the recipe of `zip` (whose bag's top folder is `top`), writing its skeleton to
/// `skeleton`. `sha256` is the zip's, already verified. Only entries whose bag path `stored`
/// accepts (the files the repository keeps) are cut out; any other entry stays in the skeleton.
pub fn make(
    zip: &Path,
    top: &str,
    sha256: &str,
    skeleton: &Path,
    stored: &dyn Fn(&str) -> bool,
) -> Result<Recipe> {
    let bytes = fs_err::metadata(zip)?.len();
    let mut file = fs_err::File::open(zip)?;
    let entries = central_directory(&mut file, bytes).map_err(|why| damaged(zip, &why))?;
    let prefix = format!("{top}/");
    let mut candidates = Vec::new();
    for entry in entries {
        let Some(path) = entry.name.strip_prefix(&prefix) else {
            continue;
        };
        if path.is_empty() || path.ends_with('/') || entry.compressed == 0 || !stored(path) {
            continue;
        }
        let start =
            local_data_start(&mut file, entry.local_offset).map_err(|w| damaged(zip, &w))?;
        if start + entry.compressed > bytes {
            return Err(damaged(zip, "an entry runs past the end of the archive"));
        }
        candidates.push((path.to_owned(), entry, start));
    }
    // Which deflater reproduces each entry: tried on every core (each reads its own region).
    use rayon::prelude::*;
    let methods: Vec<Option<&'static str>> = candidates
        .par_iter()
        .map(|(_, entry, start)| match entry.method {
            0 => Ok(Some("stored")),
            8 => reproduces(zip, *start, entry.compressed, entry.size),
            _ => Ok(None),
        })
        .collect::<Result<_>>()?;
    let mut regions = Vec::new();
    for ((path, entry, start), method) in candidates.into_iter().zip(methods) {
        if let Some(method) = method {
            regions.push(Region {
                offset: start,
                length: entry.compressed,
                path,
                method: method.to_owned(),
            });
        }
    }
    regions.sort_by_key(|r| r.offset);
    // Overlapping regions cannot both be cut out: keep the first.
    let mut kept: Vec<Region> = Vec::with_capacity(regions.len());
    for region in regions {
        if kept
            .last()
            .is_none_or(|last| last.offset + last.length <= region.offset)
        {
            kept.push(region);
        }
    }
    // The skeleton: everything between the regions.
    let mut out = std::io::BufWriter::new(fs_err::File::create(skeleton)?);
    let mut source = std::io::BufReader::new(fs_err::File::open(zip)?);
    let mut at = 0u64;
    let mut written = 0u64;
    for region in &kept {
        written += copy_exact(&mut source, &mut out, region.offset - at)?;
        std::io::copy(&mut (&mut source).take(region.length), &mut std::io::sink())?;
        at = region.offset + region.length;
    }
    written += std::io::copy(&mut source, &mut out)?;
    out.into_inner()
        .map_err(|e| Error::Io(e.into_error()))?
        .sync_all()?;
    Ok(Recipe {
        format: FORMAT.to_owned(),
        zip: zip
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes,
        sha256: sha256.to_owned(),
        skeleton_bytes: written,
        regions: kept,
    })
}

/// Rebuild the zip of `recipe` into `out` from its `skeleton` and the bag files `open` gives
/// (by bag path); returns the SHA-256 of what was written, which the caller compares.
pub fn rebuild<'a>(
    recipe: &Recipe,
    skeleton: &mut dyn Read,
    open: &mut dyn FnMut(&str) -> Result<Box<dyn Read + 'a>>,
    out: &mut dyn Write,
) -> Result<String> {
    if recipe.format != FORMAT {
        return Err(Error::Usage(format!(
            "the zip recipe is in format `{}`; this archivist reads `{FORMAT}`",
            recipe.format
        )));
    }
    let mut out = Hashing {
        inner: out,
        hasher: Sha256::new(),
        bytes: 0,
    };
    let mut skeleton = std::io::BufReader::new(skeleton);
    let regions = &recipe.regions;
    let mut next = 0;
    while next < regions.len() {
        // A run of entries libdeflate makes: read in order, deflated on every core, written
        // in order (about BATCH_BYTES of them at a time).
        let mut batch = Vec::new();
        let mut batch_bytes = 0u64;
        while let Some(region) = regions.get(next)
            && region.method == "libdeflate-6"
            && batch_bytes < BATCH_BYTES
        {
            let mut data = Vec::new();
            open(&region.path)?.read_to_end(&mut data)?;
            batch_bytes += data.len() as u64;
            batch.push((region, data));
            next += 1;
        }
        if !batch.is_empty() {
            use rayon::prelude::*;
            let deflated: Vec<Result<Vec<u8>>> = batch
                .par_iter()
                .map(|(_, data)| libdeflate6(data))
                .collect();
            for ((region, _), deflated) in batch.iter().zip(deflated) {
                gap_before(region, &mut skeleton, &mut out)?;
                let before = out.bytes;
                out.write_all(&deflated?)?;
                same_length(region, out.bytes - before)?;
            }
            continue;
        }
        let region = &regions[next];
        next += 1;
        gap_before(region, &mut skeleton, &mut out)?;
        let mut file = open(&region.path)?;
        let before = out.bytes;
        match region.method.as_str() {
            "stored" => {
                std::io::copy(&mut file, &mut out)?;
            }
            "zlib-rs-6" => {
                let mut encoder =
                    flate2::write::DeflateEncoder::new(&mut out, flate2::Compression::new(6));
                copy_chunked(&mut file, &mut encoder)?;
                encoder.finish()?;
            }
            other => {
                return Err(Error::Usage(format!(
                    "the zip recipe names the method `{other}`, which this archivist does not know ({})",
                    METHODS.join(", ")
                )));
            }
        }
        same_length(region, out.bytes - before)?;
    }
    std::io::copy(&mut skeleton, &mut out)?;
    Ok(crate::digest::hex(&out.hasher.finalize()))
}

/// A batch of entries deflated at once: this many bytes of files, and one more file.
const BATCH_BYTES: u64 = 16 << 20;

/// The skeleton's bytes before `region`.
fn gap_before(region: &Region, skeleton: &mut dyn Read, out: &mut Hashing<'_>) -> Result<()> {
    let gap = region.offset.checked_sub(out.bytes).ok_or_else(|| {
        Error::Usage("the zip recipe's regions overlap or are out of order".into())
    })?;
    copy_exact(skeleton, out, gap)?;
    Ok(())
}

fn same_length(region: &Region, made: u64) -> Result<()> {
    if made != region.length {
        return Err(Error::Refused {
            message: format!(
                "`{}` does not recompress to the {} bytes the zip held ({made} with {})",
                region.path, region.length, region.method
            ),
            hint: None,
        });
    }
    Ok(())
}

/// The method that recompresses an entry's data to the same bytes, if one does.
fn reproduces(zip: &Path, start: u64, compressed: u64, size: u64) -> Result<Option<&'static str>> {
    use std::io::{Seek, SeekFrom};
    let region = || -> Result<std::io::Take<std::io::BufReader<fs_err::File>>> {
        let mut f = fs_err::File::open(zip)?;
        f.seek(SeekFrom::Start(start))?;
        Ok(std::io::BufReader::new(f).take(compressed))
    };
    if size <= ONE_SHOT_MAX && compressed <= ONE_SHOT_MAX {
        let mut deflated = Vec::new();
        region()?.read_to_end(&mut deflated)?;
        let mut data = Vec::new();
        if flate2::read::DeflateDecoder::new(deflated.as_slice())
            .read_to_end(&mut data)
            .is_err()
        {
            return Ok(None);
        }
        if libdeflate6(&data)? == deflated {
            return Ok(Some("libdeflate-6"));
        }
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(6));
        copy_chunked(&mut data.as_slice(), &mut encoder)?;
        return Ok((encoder.finish()? == deflated).then_some("zlib-rs-6"));
    }
    // Large: inflate and deflate again as streams, comparing as the bytes come (zlib-rs, as
    // archivist's writer makes large tag files).
    let mut compare = Compare {
        expected: region()?,
        same: true,
        bytes: 0,
    };
    let mut encoder = flate2::write::DeflateEncoder::new(&mut compare, flate2::Compression::new(6));
    let mut decoder = flate2::read::DeflateDecoder::new(region()?);
    if copy_chunked(&mut decoder, &mut encoder).is_err() {
        return Ok(None);
    }
    encoder.finish()?;
    if compare.same && compare.bytes == compressed {
        return Ok(Some("zlib-rs-6"));
    }
    // Documents of any size are deflated by libdeflate in one shot: tried in memory, up to
    // LIBDEFLATE_MAX.
    if size <= LIBDEFLATE_MAX {
        let mut data = Vec::new();
        flate2::read::DeflateDecoder::new(region()?).read_to_end(&mut data)?;
        let mut deflated = Vec::new();
        region()?.read_to_end(&mut deflated)?;
        if data.len() as u64 == size && libdeflate6(&data)? == deflated {
            return Ok(Some("libdeflate-6"));
        }
    }
    Ok(None)
}

fn libdeflate6(data: &[u8]) -> Result<Vec<u8>> {
    let mut c =
        libdeflater::Compressor::new(libdeflater::CompressionLvl::new(6).expect("level 6 exists"));
    let mut out = vec![0u8; c.deflate_compress_bound(data.len())];
    let n = c
        .deflate_compress(data, &mut out)
        .map_err(|e| Error::Io(std::io::Error::other(format!("deflate: {e:?}"))))?;
    out.truncate(n);
    Ok(out)
}

/// Copy in 256 KiB writes, as archivist's zip writer feeds its stream deflater.
/// Whole chunks (an inflater's reads come in any size; the writer's come from a file, whole).
fn copy_chunked(from: &mut dyn Read, to: &mut dyn Write) -> Result<()> {
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let mut n = 0;
        while n < buf.len() {
            match from.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        if n == 0 {
            return Ok(());
        }
        to.write_all(&buf[..n])?;
    }
}

fn copy_exact(from: &mut dyn Read, to: &mut dyn Write, n: u64) -> Result<u64> {
    let copied = std::io::copy(&mut from.take(n), to)?;
    if copied != n {
        return Err(Error::Io(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the zip skeleton is shorter than its recipe says",
        )));
    }
    Ok(copied)
}

struct Hashing<'a> {
    inner: &'a mut dyn Write,
    hasher: Sha256,
    bytes: u64,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A writer that compares what it is given with what a reader holds.
struct Compare<R: Read> {
    expected: R,
    same: bool,
    bytes: u64,
}

impl<R: Read> Write for Compare<R> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.same {
            let mut want = vec![0u8; buf.len()];
            let mut got = 0;
            while got < want.len() {
                let n = self.expected.read(&mut want[got..])?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            self.same = got == buf.len() && want == buf;
        }
        self.bytes += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn damaged(zip: &Path, why: &str) -> Error {
    Error::Refused {
        message: format!("`{}`: {why}", zip.display()),
        hint: Some("check it with `archivist verify`".into()),
    }
}

struct Entry {
    name: String,
    method: u16,
    compressed: u64,
    size: u64,
    local_offset: u64,
}

fn read_at(file: &mut fs_err::File, at: u64, len: usize) -> std::result::Result<Vec<u8>, String> {
    use std::io::{Seek, SeekFrom};
    let mut buf = vec![0u8; len];
    file.seek(SeekFrom::Start(at)).map_err(|e| e.to_string())?;
    file.read_exact(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf)
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}
fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}
fn u64_at(b: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"))
}

/// The central directory's entries (APPNOTE 4.3.12, with zip64 sizes and offsets, 4.5.3).
fn central_directory(file: &mut fs_err::File, len: u64) -> std::result::Result<Vec<Entry>, String> {
    let tail_len = len.min(22 + 65535) as usize;
    let tail = read_at(file, len - tail_len as u64, tail_len)?;
    let eocd = (0..=tail_len.saturating_sub(22))
        .rev()
        .find(|&i| u32_at(&tail, i) == 0x0605_4b50)
        .ok_or("no end of central directory record")?;
    let eocd_at = len - tail_len as u64 + eocd as u64;
    let e = &tail[eocd..];
    let mut count = u64::from(u16_at(e, 10));
    let mut cd_size = u64::from(u32_at(e, 12));
    let mut cd_offset = u64::from(u32_at(e, 16));
    if (count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF) && eocd_at >= 20 {
        let locator = read_at(file, eocd_at - 20, 20)?;
        if u32_at(&locator, 0) == 0x0706_4b50 {
            let record = read_at(file, u64_at(&locator, 8), 56)?;
            if u32_at(&record, 0) != 0x0606_4b50 {
                return Err("the zip64 end record is not where its locator says".into());
            }
            count = u64_at(&record, 32);
            cd_size = u64_at(&record, 40);
            cd_offset = u64_at(&record, 48);
        }
    }
    if cd_offset.checked_add(cd_size).is_none_or(|end| end > len) {
        return Err("the central directory runs past the end of the archive".into());
    }
    let cd = read_at(
        file,
        cd_offset,
        usize::try_from(cd_size).map_err(|e| e.to_string())?,
    )?;
    let mut entries = Vec::new();
    let mut i = 0usize;
    for _ in 0..count {
        if i + 46 > cd.len() || u32_at(&cd, i) != 0x0201_4b50 {
            return Err("a central directory record is damaged".into());
        }
        let (n, m, k) = (
            usize::from(u16_at(&cd, i + 28)),
            usize::from(u16_at(&cd, i + 30)),
            usize::from(u16_at(&cd, i + 32)),
        );
        if i + 46 + n + m + k > cd.len() {
            return Err("a central directory record runs past its end".into());
        }
        let name = String::from_utf8_lossy(&cd[i + 46..i + 46 + n]).into_owned();
        let mut size = u64::from(u32_at(&cd, i + 24));
        let mut compressed = u64::from(u32_at(&cd, i + 20));
        let mut local_offset = u64::from(u32_at(&cd, i + 42));
        // zip64 extra: the values that are 0xFFFFFFFF, in this order.
        let mut extra = &cd[i + 46 + n..i + 46 + n + m];
        while extra.len() >= 4 {
            let (id, len) = (u16_at(extra, 0), usize::from(u16_at(extra, 2)));
            let body = extra
                .get(4..4 + len)
                .ok_or("a zip extra field is damaged")?;
            if id == 1 {
                let mut at = 0;
                for field in [&mut size, &mut compressed, &mut local_offset] {
                    if *field == 0xFFFF_FFFF && at + 8 <= body.len() {
                        *field = u64_at(body, at);
                        at += 8;
                    }
                }
            }
            extra = &extra[4 + len..];
        }
        entries.push(Entry {
            name,
            method: u16_at(&cd, i + 10),
            compressed,
            size,
            local_offset,
        });
        i += 46 + n + m + k;
    }
    Ok(entries)
}

/// Where an entry's data begins: after its local header, name and extra field.
fn local_data_start(file: &mut fs_err::File, at: u64) -> std::result::Result<u64, String> {
    let header = read_at(file, at, 30)?;
    if u32_at(&header, 0) != 0x0403_4b50 {
        return Err("a local header is not where the central directory says".into());
    }
    Ok(at + 30 + u64::from(u16_at(&header, 26)) + u64::from(u16_at(&header, 28)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every committed release: its recipe rebuilds it exactly from the bag's files alone.
    #[test]
    fn the_committed_releases_rebuild_byte_for_byte_from_their_files() {
        let top = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        for version in ["1.0.0", "1.0.1", "1.0.2"] {
            let name = format!("khojaly-1992-{version}");
            let zip = top.join(format!("release/{name}.zip"));
            let bytes = std::fs::read(&zip).unwrap();
            let sha = crate::digest::sha256_hex(&bytes);
            let dir = tempfile::tempdir().unwrap();
            let skeleton = dir.path().join("skeleton");
            let recipe = make(&zip, &name, &sha, &skeleton, &|_| true).unwrap();
            assert_eq!(recipe.bytes, bytes.len() as u64);
            // The files, read with the zip crate (an independent reader).
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
            let mut files = std::collections::BTreeMap::new();
            for i in 0..archive.len() {
                let mut entry = archive.by_index(i).unwrap();
                let mut data = Vec::new();
                entry.read_to_end(&mut data).unwrap();
                let full = entry.name().unwrap().into_owned();
                let path = full.strip_prefix(&format!("{name}/")).unwrap().to_owned();
                files.insert(path, data);
            }
            let mut out = Vec::new();
            let got = rebuild(
                &recipe,
                &mut fs_err::File::open(&skeleton).unwrap(),
                &mut |path| Ok(Box::new(std::io::Cursor::new(files[path].clone()))),
                &mut out,
            )
            .unwrap();
            assert_eq!(got, sha, "{name}");
            assert!(out == bytes, "{name}: rebuilt bytes differ");
            // Something was cut out: the skeleton is smaller than the zip.
            assert!(
                recipe.skeleton_bytes < recipe.bytes,
                "{name}: {} of {}",
                recipe.skeleton_bytes,
                recipe.bytes
            );
            eprintln!(
                "{name}: skeleton {} of {} bytes, {} regions",
                recipe.skeleton_bytes,
                recipe.bytes,
                recipe.regions.len()
            );
        }
    }

    #[test]
    fn a_changed_file_does_not_rebuild_the_same_zip() {
        let top = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let name = "khojaly-1992-1.0.2";
        let zip = top.join(format!("release/{name}.zip"));
        let bytes = std::fs::read(&zip).unwrap();
        let sha = crate::digest::sha256_hex(&bytes);
        let dir = tempfile::tempdir().unwrap();
        let skeleton = dir.path().join("skeleton");
        let recipe = make(&zip, name, &sha, &skeleton, &|_| true).unwrap();
        let mut out = Vec::new();
        let result = rebuild(
            &recipe,
            &mut fs_err::File::open(&skeleton).unwrap(),
            &mut |_| Ok(Box::new(std::io::Cursor::new(b"not the file".to_vec()))),
            &mut out,
        );
        assert!(result.is_err() || result.unwrap() != sha);
    }

    /// A zip from another writer, at a level no deflater here reproduces: those entries stay in
    /// the skeleton whole, and the zip still rebuilds byte for byte.
    #[test]
    fn entries_no_deflater_reproduces_stay_in_the_skeleton() {
        use std::io::Write;
        use zip::write::SimpleFileOptions;
        let text: Vec<u8> = (0..20000u32)
            .flat_map(|i| format!("line {i} of a text that compresses {}\n", i % 7).into_bytes())
            .collect();
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let level = |l| {
            SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .compression_level(Some(l))
        };
        let files = [
            ("bag/a.txt", level(6)),
            ("bag/b.txt", level(1)),
            (
                "bag/c.txt",
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
            ),
        ];
        for (name, options) in files {
            writer.start_file(name, options).unwrap();
            writer.write_all(&text).unwrap();
        }
        let bytes = writer.finish().unwrap().into_inner();
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("bag.zip");
        std::fs::write(&zip, &bytes).unwrap();
        let sha = crate::digest::sha256_hex(&bytes);
        let skeleton = dir.path().join("skeleton");
        let recipe = make(&zip, "bag", &sha, &skeleton, &|_| true).unwrap();
        let methods: Vec<(&str, &str)> = recipe
            .regions
            .iter()
            .map(|r| (r.path.as_str(), r.method.as_str()))
            .collect();
        assert!(methods.contains(&("c.txt", "stored")), "{methods:?}");
        assert!(!methods.iter().any(|(p, _)| *p == "b.txt"), "{methods:?}");
        let mut out = Vec::new();
        let got = rebuild(
            &recipe,
            &mut fs_err::File::open(&skeleton).unwrap(),
            &mut |_| Ok(Box::new(std::io::Cursor::new(text.clone()))),
            &mut out,
        )
        .unwrap();
        assert_eq!(got, sha);
        assert!(out == bytes);
        // What a file not kept by the repository is: never cut out.
        let none = make(&zip, "bag", &sha, &skeleton, &|p| p != "c.txt").unwrap();
        assert!(!none.regions.iter().any(|r| r.path == "c.txt"));
    }

    /// archivist's own writer as it is now: small entries (libdeflate), one over 8 MiB (the
    /// stream deflater), one that does not shrink (stored): every one is cut out and the zip
    /// rebuilds byte for byte.
    #[test]
    fn archivists_writer_is_rebuilt_whole_small_large_and_stored_entries() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("w-1.0.0.zip");
        let date = jiff::civil::date(2026, 1, 15);
        let mut zipper = crate::zip::write::Zipper::new(
            std::fs::File::create(&zip).unwrap(),
            "w-1.0.0",
            date,
            dir.path(),
        )
        .unwrap();
        let small = b"a small text, a small text, a small text\n".repeat(50);
        let large: Vec<u8> = (0..(9u32 << 20) / 16)
            .flat_map(|i| format!("{:015}\n", i.wrapping_mul(2_654_435_761) % 1000).into_bytes())
            .collect();
        let incompressible: Vec<u8> = (0..128u32)
            .flat_map(|i| Sha256::digest(i.to_le_bytes()).to_vec())
            .collect();
        let mut files = std::collections::BTreeMap::new();
        files.insert("small.txt".to_owned(), small.clone());
        files.insert("large.txt".to_owned(), large.clone());
        files.insert("noise.bin".to_owned(), incompressible.clone());
        // A document over the one-shot size (1 MiB in tests): deflated by libdeflate whole.
        let document = b"Xocali, 26 fevral 1992. ".repeat(100_000);
        files.insert("document.txt".to_owned(), document.clone());
        zipper.add("document.txt", &document, None).unwrap();
        zipper.add("small.txt", &small, None).unwrap();
        zipper
            .add_streamed("large.txt", |w| Ok(w.write_all(&large)?))
            .unwrap();
        zipper.add("noise.bin", &incompressible, None).unwrap();
        zipper.finish().unwrap();
        let bytes = std::fs::read(&zip).unwrap();
        let sha = crate::digest::sha256_hex(&bytes);
        let skeleton = dir.path().join("skeleton");
        let recipe = make(&zip, "w-1.0.0", &sha, &skeleton, &|_| true).unwrap();
        let methods: std::collections::BTreeMap<&str, &str> = recipe
            .regions
            .iter()
            .map(|r| (r.path.as_str(), r.method.as_str()))
            .collect();
        assert_eq!(
            methods.get("small.txt"),
            Some(&"libdeflate-6"),
            "{methods:?}"
        );
        assert_eq!(methods.get("large.txt"), Some(&"zlib-rs-6"), "{methods:?}");
        assert_eq!(
            methods.get("document.txt"),
            Some(&"libdeflate-6"),
            "{methods:?}"
        );
        assert_eq!(methods.get("noise.bin"), Some(&"stored"), "{methods:?}");
        let mut out = Vec::new();
        let got = rebuild(
            &recipe,
            &mut fs_err::File::open(&skeleton).unwrap(),
            &mut |path| Ok(Box::new(std::io::Cursor::new(files[path].clone()))),
            &mut out,
        )
        .unwrap();
        assert_eq!(got, sha);
        assert!(out == bytes);
    }
}
