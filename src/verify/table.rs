//! A sorted table of a bag's files, on disk past 1 MiB: each file's path, size and a few bytes
//! of its own (where a zip entry lies; a file's SHA-256). Verification reads it in order, and
//! looks up the few files it needs by name through a sparse index (one path in
//! [`Table::SPARSE`]), so its memory does not grow with the number of files.

use crate::sort::{ExternalSort, Item, Sorted};
use crate::spool::{Spool, Spooled};
use std::io;
use std::path::Path;

/// One file of a [`Table`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    /// Its place in the table (0 for the first file).
    pub index: u64,
    pub path: String,
    pub size: u64,
    /// What the table's maker keeps with it.
    pub extra: Vec<u8>,
}

/// Files sorted by path, each once.
pub struct Table {
    rows: Spooled,
    len: u64,
    /// Every [`Table::SPARSE`]th path, with where its row starts.
    sparse: Vec<(String, u64)>,
}

impl Default for Table {
    /// A table of no files.
    fn default() -> Table {
        Table {
            rows: Spooled::Memory(Vec::new()),
            len: 0,
            sparse: Vec::new(),
        }
    }
}

impl Table {
    const SPARSE: u64 = 64;

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every row, in order.
    pub fn rows(&self) -> impl Iterator<Item = io::Result<Row>> + '_ {
        let mut reader = self.rows.reader();
        let mut index = 0u64;
        std::iter::from_fn(move || {
            let row = <(String, u64, Vec<u8>)>::get(&mut reader).transpose()?;
            let row = row.map(|(path, size, extra)| Row {
                index,
                path,
                size,
                extra,
            });
            index += 1;
            Some(row)
        })
    }

    /// The row of `path`, if the table has it.
    pub fn get(&self, path: &str) -> io::Result<Option<Row>> {
        let block = self.sparse.partition_point(|(p, _)| p.as_str() <= path);
        let Some(start) = block.checked_sub(1) else {
            return Ok(None);
        };
        let mut reader = self.rows.reader_at(self.sparse[start].1);
        for i in 0..Self::SPARSE {
            let Some((p, size, extra)) = <(String, u64, Vec<u8>)>::get(&mut reader)? else {
                break;
            };
            if p == path {
                return Ok(Some(Row {
                    index: start as u64 * Self::SPARSE + i,
                    path: p,
                    size,
                    extra,
                }));
            }
            if p.as_str() > path {
                break;
            }
        }
        Ok(None)
    }

    pub fn contains(&self, path: &str) -> io::Result<bool> {
        Ok(self.get(path)?.is_some())
    }
}

/// Builds a [`Table`] from rows given in order.
pub struct TableWriter {
    spool: Spool,
    len: u64,
    sparse: Vec<(String, u64)>,
    last: Option<String>,
}

impl TableWriter {
    pub fn new(dir: &Path) -> TableWriter {
        TableWriter {
            spool: Spool::new(dir, 1 << 20),
            len: 0,
            sparse: Vec::new(),
            last: None,
        }
    }

    /// Add the next row: its path must sort after the last one's.
    pub fn push(&mut self, path: String, size: u64, extra: Vec<u8>) -> io::Result<()> {
        if self.last.as_ref().is_some_and(|last| *last >= path) {
            return Err(io::Error::other(format!(
                "table rows out of order at `{path}`"
            )));
        }
        if self.len.is_multiple_of(Table::SPARSE) {
            self.sparse.push((path.clone(), self.spool.len()));
        }
        let row = (path, size, extra);
        row.put(&mut self.spool)?;
        self.last = Some(row.0);
        self.len += 1;
        Ok(())
    }

    pub fn finish(self) -> io::Result<Table> {
        Ok(Table {
            rows: self.spool.finish()?,
            len: self.len,
            sparse: self.sparse,
        })
    }
}

/// Rows in any order, sorted into a [`Table`]; a path given more than once is kept once and
/// returned, with how many times it was given, by [`TableSorter::finish`].
pub struct TableSorter {
    sort: ExternalSort<(String, u64, Vec<u8>)>,
    dir: std::path::PathBuf,
}

impl TableSorter {
    pub fn new(dir: &Path) -> TableSorter {
        TableSorter {
            sort: ExternalSort::new(dir, crate::sort::BUDGET),
            dir: dir.to_owned(),
        }
    }

    pub fn push(&mut self, path: String, size: u64, extra: Vec<u8>) -> io::Result<()> {
        self.sort.push((path, size, extra))
    }

    /// The table, and the paths given more than once (with their counts).
    pub fn finish(self) -> io::Result<(Table, Vec<(String, usize)>)> {
        let mut writer = TableWriter::new(&self.dir);
        let mut repeated: Vec<(String, usize)> = Vec::new();
        let sorted: Sorted<_> = self.sort.finish()?;
        for row in sorted {
            let (path, size, extra) = row?;
            if writer.last.as_deref() == Some(path.as_str()) {
                match repeated.last_mut() {
                    Some((p, count)) if *p == path => *count += 1,
                    _ => repeated.push((path, 2)),
                }
                continue;
            }
            writer.push(path, size, extra)?;
        }
        Ok((writer.finish()?, repeated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_sorted_found_by_name_and_repeats_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut sorter = TableSorter::new(dir.path());
        let names: Vec<String> = (0..1000).rev().map(|i| format!("data/f{i:04}")).collect();
        for (i, name) in names.iter().enumerate() {
            sorter.push(name.clone(), i as u64, vec![i as u8]).unwrap();
        }
        sorter.push("data/f0007".into(), 1, vec![]).unwrap();
        sorter.push("data/f0007".into(), 2, vec![]).unwrap();
        let (table, repeated) = sorter.finish().unwrap();
        assert_eq!(repeated, [("data/f0007".to_owned(), 3)]);
        assert_eq!(table.len(), 1000);
        let rows: Vec<Row> = table.rows().map(Result::unwrap).collect();
        assert!(rows.windows(2).all(|w| w[0].path < w[1].path));
        assert!(rows.iter().enumerate().all(|(i, r)| r.index == i as u64));
        for row in &rows {
            assert_eq!(table.get(&row.path).unwrap().as_ref(), Some(row));
        }
        for absent in ["", "a", "data/f", "data/f0500x", "data/f9999", "z"] {
            assert_eq!(table.get(absent).unwrap(), None, "{absent}");
        }
    }

    #[test]
    fn a_writer_refuses_rows_out_of_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = TableWriter::new(dir.path());
        writer.push("b".into(), 0, vec![]).unwrap();
        assert!(writer.push("a".into(), 0, vec![]).is_err());
        assert!(writer.push("b".into(), 0, vec![]).is_err());
    }
}
