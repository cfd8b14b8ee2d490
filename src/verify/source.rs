//! Where a bag's files come from: a zip (read in place, nothing extracted) or a folder.
//!
//! Opening a source lists its files and reports, before anything is trusted, everything that
//! could make it unpack as something else: for zips, whatever [`crate::zip::read`] refuses (an
//! archive every extractor reads the same way, or nothing), and one top folder; for folders,
//! symlinks, special files and names that are not [`RelPath`]s. The list is a sorted [`Table`]
//! on disk past 1 MiB (unnamed temporary files, see [`scratch`]), so opening a bag of any number
//! of files takes constant memory. Reading streams one file through a callback, and never
//! writes anything a user sees.

use super::table::{Row, Table, TableSorter, TableWriter};
use crate::digest::{Algorithm, MultiHasher};
use crate::error::Result;
use crate::path::RelPath;
use crate::problem::Problem;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Limits applied to archives before their content is read.
pub use crate::zip::read::Limits as ZipLimits;

/// One file to hash: which digests, and whether to keep its bytes (small files only).
#[derive(Clone, Debug)]
pub struct HashJob {
    pub file: Row,
    pub algorithms: Vec<Algorithm>,
    pub keep: bool,
}

/// A file hashed: its digests, size read, and its bytes when asked to keep them.
#[derive(Clone, Debug)]
pub struct Hashed {
    pub digests: Vec<(Algorithm, String)>,
    pub bytes: u64,
    pub kept: Option<Vec<u8>>,
}

/// A readable bag.
pub trait BagSource: Send + Sync {
    /// The files of the bag, sorted by path.
    fn files(&self) -> &Table;
    /// Stream one file of [`BagSource::files`] through `visit`, chunk by chunk.
    fn read_row(&self, file: &Row, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()>;
    /// Stream the file at `path` through `visit`, chunk by chunk.
    fn read(&self, path: &str, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        let file = self
            .files()
            .get(path)?
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))?;
        self.read_row(&file, visit)
    }
    /// How to name a file of the bag in messages.
    fn name_of(&self, path: &str) -> String;
    /// [`BagSource::name_of`] as a function of its own, for use while the source is borrowed.
    fn namer(&self) -> Box<dyn Fn(&str) -> String + Send + Sync>;
    /// Hash many files, each read once, in parallel; results in the order of `jobs`.
    fn hash_all(&self, jobs: &[HashJob]) -> Vec<std::result::Result<Hashed, String>> {
        jobs.par_iter()
            .map(|job| hash_with(|visit| self.read_row(&job.file, visit), job))
            .collect()
    }
}

/// Hash one file through a reader callback.
fn hash_with(
    read: impl FnOnce(&mut dyn FnMut(&[u8])) -> std::io::Result<()>,
    job: &HashJob,
) -> std::result::Result<Hashed, String> {
    let mut hasher = MultiHasher::new(job.algorithms.iter().copied());
    let mut kept = job.keep.then(Vec::new);
    let mut bytes = 0u64;
    read(&mut |chunk| {
        hasher.update(chunk);
        bytes += chunk.len() as u64;
        if let Some(k) = kept.as_mut() {
            k.extend_from_slice(chunk);
        }
    })
    .map_err(|e| e.to_string())?;
    Ok(Hashed {
        digests: hasher.finish(),
        bytes,
        kept,
    })
}

/// Where temporary files of verification go (sorted runs, tables past 1 MiB): unnamed files in
/// the system's temporary folder, which nothing can leave behind.
pub fn scratch() -> std::path::PathBuf {
    std::env::temp_dir()
}

const CHUNK: usize = 256 * 1024;

/// A bag inside a zip: one top folder holds the bag. The archive is read by
/// [`crate::zip::read`], which accepts it only when there is one way to read it; its entries are
/// sorted into a [`Table`] with where each one lies: nothing per entry stays in memory.
pub struct ZipSource {
    file: Arc<std::fs::File>,
    top: String,
    table: Table,
}

impl ZipSource {
    /// Open `zip` and check every entry; `None` when no bag can be read from it (the problems
    /// say why).
    pub fn open(
        zip: &Path,
        limits: &ZipLimits,
        problems: &mut Vec<Problem>,
    ) -> Result<Option<ZipSource>> {
        use crate::zip::read::{self, Kind, Names};
        let display = zip.display().to_string();
        let file = fs_err::File::open(zip)?.into_parts().0;
        let report = |problems: &mut Vec<Problem>, found: read::ZipProblem| {
            let path = match &found.entry {
                Some(entry) => format!("{display}:{entry}"),
                None => display.clone(),
            };
            problems.push(Problem::error(path, found.code, found.message));
        };
        let directory = match read::directory(&file) {
            Ok(found) => found,
            Err(problem) => {
                report(problems, problem);
                return Ok(None);
            }
        };
        let scratch = scratch();
        let mut sorter = TableSorter::new(&scratch);
        let mut names = Names::new(&scratch);
        let mut tops: BTreeSet<String> = BTreeSet::new();
        let mut loose = false;
        let mut found = Vec::new();
        read::walk(&file, &directory, limits, &mut found, &mut |entry| {
            names.push(&entry.path, entry.kind)?;
            match entry.path.strip_first() {
                Some((top, _)) if tops.len() < 10 || tops.contains(top) => {
                    tops.insert(top.to_owned());
                }
                Some(_) => {}
                None if entry.kind == Kind::Directory => {
                    tops.insert(entry.path.as_str().to_owned());
                }
                None => loose = true,
            }
            if entry.kind == Kind::File {
                sorter.push(
                    entry.path.as_str().to_owned(),
                    entry.data.size,
                    entry.data.to_bytes(),
                )?;
            }
            Ok(())
        })?;
        found.extend(names.finish()?);
        let failed = !found.is_empty();
        for problem in found {
            report(problems, problem);
        }
        if failed {
            return Ok(None);
        }
        let (table, _) = sorter.finish()?;
        if tops.len() != 1 || loose {
            problems.push(Problem::error(
                &display,
                "zip-layout",
                format!(
                    "a release zip holds exactly one top folder (the bag); found {}",
                    if tops.is_empty() {
                        "no files".to_owned()
                    } else {
                        tops.into_iter().collect::<Vec<_>>().join(", ")
                    }
                ),
            ));
            return Ok(None);
        }
        let top = tops.into_iter().next().unwrap_or_default();
        // The same rows without the top folder (a common prefix keeps the order).
        let mut inside = TableWriter::new(&scratch);
        for row in table.rows() {
            let row = row?;
            let path = row.path[top.len() + 1..].to_owned();
            inside.push(path, row.size, row.extra)?;
        }
        Ok(Some(ZipSource {
            file: Arc::new(file),
            top,
            table: inside.finish()?,
        }))
    }

    pub fn top(&self) -> &str {
        &self.top
    }
}

impl BagSource for ZipSource {
    fn files(&self) -> &Table {
        &self.table
    }

    fn read_row(&self, file: &Row, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        let data = crate::zip::read::Data::from_bytes(&file.extra)?;
        crate::zip::read::read(&self.file, &data, visit)
    }

    fn name_of(&self, path: &str) -> String {
        format!("{}/{path}", self.top)
    }

    fn namer(&self) -> Box<dyn Fn(&str) -> String + Send + Sync> {
        let top = self.top.clone();
        Box::new(move |path| format!("{top}/{path}"))
    }
}

/// A bag in a folder.
pub struct DirSource {
    root: PathBuf,
    table: Table,
}

impl DirSource {
    pub fn open(root: &Path, problems: &mut Vec<Problem>) -> Result<DirSource> {
        let mut files = TableSorter::new(&scratch());
        walk(root, "", &mut files, problems)?;
        let (table, _) = files.finish()?;
        Ok(DirSource {
            root: root.to_path_buf(),
            table,
        })
    }
}

fn read_file(root: &Path, path: &str, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
    let path = RelPath::new(path).map_err(std::io::Error::other)?;
    let mut file = fs_err::File::open(path.under(root))?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        visit(&buf[..n]);
    }
}

fn walk(
    dir: &Path,
    prefix: &str,
    files: &mut TableSorter,
    problems: &mut Vec<Problem>,
) -> Result<()> {
    for child in fs_err::read_dir(dir)? {
        let child = child?;
        let path = child.path();
        let Some(name) = child.file_name().to_str().map(str::to_owned) else {
            problems.push(Problem::error(
                path.display().to_string(),
                "unsafe-path",
                "the file name is not UTF-8",
            ));
            continue;
        };
        let rel = format!("{prefix}{name}");
        let kind = child.file_type()?;
        if kind.is_symlink() {
            problems.push(Problem::error(
                path.display().to_string(),
                "special-entry",
                "symbolic link: a bag holds regular files only",
            ));
        } else if kind.is_dir() {
            walk(&path, &format!("{rel}/"), files, problems)?;
        } else if kind.is_file() {
            files.push(rel, child.metadata()?.len(), Vec::new())?;
        } else {
            problems.push(Problem::error(
                path.display().to_string(),
                "special-entry",
                "device, pipe or socket: a bag holds regular files only",
            ));
        }
    }
    Ok(())
}

impl BagSource for DirSource {
    fn files(&self) -> &Table {
        &self.table
    }

    fn read_row(&self, file: &Row, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        read_file(&self.root, &file.path, visit)
    }

    fn name_of(&self, path: &str) -> String {
        self.root.join(path).display().to_string()
    }

    fn namer(&self) -> Box<dyn Fn(&str) -> String + Send + Sync> {
        let root = self.root.clone();
        Box::new(move |path| root.join(path).display().to_string())
    }
}

/// A bag held in memory (tests and fuzzing): paths relative to the bag's top folder.
pub struct MemSource {
    table: Table,
    data: BTreeMap<String, Vec<u8>>,
}

impl MemSource {
    pub fn new(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> MemSource {
        let data: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
        let mut table = TableWriter::new(&scratch());
        for (path, bytes) in &data {
            table
                .push(path.clone(), bytes.len() as u64, Vec::new())
                .expect("a table in memory");
        }
        MemSource {
            table: table.finish().expect("a table in memory"),
            data,
        }
    }
}

impl BagSource for MemSource {
    fn files(&self) -> &Table {
        &self.table
    }

    fn read_row(&self, file: &Row, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        let bytes = self
            .data
            .get(&file.path)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))?;
        visit(bytes);
        Ok(())
    }

    fn name_of(&self, path: &str) -> String {
        path.to_owned()
    }

    fn namer(&self) -> Box<dyn Fn(&str) -> String + Send + Sync> {
        Box::new(str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Bytes that deflate to several input buffers' worth: text with a pseudo-random tail.
    fn sample(len: usize) -> Vec<u8> {
        let mut x = 7u64;
        (0..len)
            .map(|i| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                if i % 3 == 0 {
                    (x >> 56) as u8
                } else {
                    b'a' + (i % 26) as u8
                }
            })
            .collect()
    }

    fn write(path: &Path, entries: &[(&str, &[u8], ::zip::CompressionMethod)]) {
        let mut zip = ::zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        for (name, data, method) in entries {
            let options = ::zip::write::SimpleFileOptions::default().compression_method(*method);
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
    }

    fn read_all(source: &ZipSource, path: &str) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        source.read(path, &mut |chunk| out.extend_from_slice(chunk))?;
        Ok(out)
    }

    #[test]
    fn stored_and_deflated_entries_read_back_whole_and_a_damaged_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("a.zip");
        let (big, small) = (sample(700_000), b"tiny\n".to_vec());
        use ::zip::CompressionMethod::{Deflated, Stored};
        write(
            &zip,
            &[
                ("bag/data/big.bin", &big, Deflated),
                ("bag/data/stored.bin", &big, Stored),
                ("bag/small.txt", &small, Deflated),
                ("bag/empty.txt", b"", Stored),
            ],
        );
        let mut problems = Vec::new();
        let source = ZipSource::open(&zip, &ZipLimits::default(), &mut problems)
            .unwrap()
            .unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(source.top(), "bag");
        let paths: Vec<String> = source.files().rows().map(|r| r.unwrap().path).collect();
        assert_eq!(
            paths,
            ["data/big.bin", "data/stored.bin", "empty.txt", "small.txt"]
        );
        assert_eq!(read_all(&source, "data/big.bin").unwrap(), big);
        assert_eq!(read_all(&source, "data/stored.bin").unwrap(), big);
        assert_eq!(read_all(&source, "small.txt").unwrap(), small);
        assert_eq!(read_all(&source, "empty.txt").unwrap(), b"");

        // One byte changed inside each big entry's data: a deflate error or a CRC mismatch.
        let mut bytes = std::fs::read(&zip).unwrap();
        for path in ["data/big.bin", "data/stored.bin"] {
            let at = crate::zip::read::Data::from_bytes(
                &source.files().get(path).unwrap().unwrap().extra,
            )
            .unwrap()
            .offset as usize;
            bytes[at + 5000] ^= 0x10;
        }
        let damaged = dir.path().join("damaged.zip");
        std::fs::write(&damaged, &bytes).unwrap();
        let source = ZipSource::open(&damaged, &ZipLimits::default(), &mut problems)
            .unwrap()
            .unwrap();
        for path in ["data/big.bin", "data/stored.bin"] {
            let error = read_all(&source, path).unwrap_err();
            assert_eq!(
                error.kind(),
                std::io::ErrorKind::InvalidData,
                "{path}: {error}"
            );
        }
        assert_eq!(read_all(&source, "small.txt").unwrap(), small);
    }

    #[test]
    fn entries_listed_twice_or_differing_in_case_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("a.zip");
        let mut bytes = Vec::new();
        {
            let mut writer = ::zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
            let options = ::zip::write::SimpleFileOptions::default();
            for name in ["bag/a.txt", "bag/A.txt", "bag/b.txt", "bag/c.txt"] {
                writer.start_file(name, options).unwrap();
                writer.write_all(name.as_bytes()).unwrap();
            }
            writer.finish().unwrap();
        }
        // Rename `c.txt` to `b.txt` in both headers: the zip crate refuses to write a duplicate.
        let mut fixed = bytes.clone();
        for i in 0..fixed.len() - 9 {
            if &fixed[i..i + 9] == b"bag/c.txt" {
                fixed[i + 4] = b'b';
            }
        }
        std::fs::write(&zip, fixed).unwrap();
        let mut problems = Vec::new();
        ZipSource::open(&zip, &ZipLimits::default(), &mut problems).unwrap();
        let codes: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.code, p.path.rsplit(':').next().unwrap()))
            .collect();
        assert_eq!(
            codes,
            [
                ("case-collision", "bag/a.txt"),
                ("duplicate-entry", "bag/b.txt")
            ]
        );
    }
}
