//! Sorting more items than memory should hold: an external merge sort over [`crate::spool`].
//!
//! Items are gathered in memory up to a budget; past it, each full buffer is sorted and written
//! to an unnamed temporary file (a run), and the runs are merged as the result is read. Below the
//! budget nothing touches the disk. Memory is the budget plus one read buffer per run, whatever
//! the number of items. Items are ordered by all their fields, so items that compare equal are
//! the same.

use crate::spool::{Spool, Spooled, damaged, get_field, put_field};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// What a sorted item is made of: fields that go to a spool and come back.
pub trait Field: Sized {
    fn put(&self, out: &mut dyn Write) -> io::Result<()>;
    /// `None` at the end of the input.
    fn get(input: &mut dyn Read) -> io::Result<Option<Self>>;
    /// About how many bytes of memory it takes.
    fn weight(&self) -> usize;
}

impl Field for String {
    fn put(&self, out: &mut dyn Write) -> io::Result<()> {
        put_field(out, self.as_bytes())
    }
    fn get(input: &mut dyn Read) -> io::Result<Option<Self>> {
        let mut bytes = Vec::new();
        if !get_field(input, &mut bytes)? {
            return Ok(None);
        }
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "a sorted run is damaged"))
    }
    fn weight(&self) -> usize {
        self.len() + 24
    }
}

impl Field for Vec<u8> {
    fn put(&self, out: &mut dyn Write) -> io::Result<()> {
        put_field(out, self)
    }
    fn get(input: &mut dyn Read) -> io::Result<Option<Self>> {
        let mut bytes = Vec::new();
        Ok(get_field(input, &mut bytes)?.then_some(bytes))
    }
    fn weight(&self) -> usize {
        self.len() + 24
    }
}

impl Field for u64 {
    fn put(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(&self.to_le_bytes())
    }
    fn get(input: &mut dyn Read) -> io::Result<Option<Self>> {
        let mut bytes = [0u8; 8];
        match input.read_exact(&mut bytes) {
            Ok(()) => Ok(Some(u64::from_le_bytes(bytes))),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    }
    fn weight(&self) -> usize {
        8
    }
}

/// An item of two or three fields, sorted by the first, then the next.
pub trait Item: Ord + Sized {
    fn put(&self, out: &mut dyn Write) -> io::Result<()>;
    fn get(input: &mut dyn Read) -> io::Result<Option<Self>>;
    fn weight(&self) -> usize;
}

impl<A: Field + Ord, B: Field + Ord> Item for (A, B) {
    fn put(&self, out: &mut dyn Write) -> io::Result<()> {
        self.0.put(out)?;
        self.1.put(out)
    }
    fn get(input: &mut dyn Read) -> io::Result<Option<Self>> {
        let Some(a) = A::get(input)? else {
            return Ok(None);
        };
        Ok(Some((a, B::get(input)?.ok_or_else(damaged)?)))
    }
    fn weight(&self) -> usize {
        self.0.weight() + self.1.weight()
    }
}

impl<A: Field + Ord, B: Field + Ord, C: Field + Ord> Item for (A, B, C) {
    fn put(&self, out: &mut dyn Write) -> io::Result<()> {
        self.0.put(out)?;
        self.1.put(out)?;
        self.2.put(out)
    }
    fn get(input: &mut dyn Read) -> io::Result<Option<Self>> {
        let Some(a) = A::get(input)? else {
            return Ok(None);
        };
        let b = B::get(input)?.ok_or_else(damaged)?;
        Ok(Some((a, b, C::get(input)?.ok_or_else(damaged)?)))
    }
    fn weight(&self) -> usize {
        self.0.weight() + self.1.weight() + self.2.weight()
    }
}

/// The memory an external sort uses for its buffer, unless told otherwise. Small enough that
/// a corpus of some ten thousand files already sorts through runs, so that memory does not grow
/// past it with the corpus.
pub const BUDGET: usize = 1 << 20;

/// Runs merged at once at most: when there are this many, they are merged into one, so the read
/// buffers of a merge are bounded too.
const MAX_RUNS: usize = 16;

/// Items pushed in any order, read back sorted.
pub struct ExternalSort<T> {
    dir: PathBuf,
    budget: usize,
    buffer: Vec<T>,
    weight: usize,
    runs: Vec<Spooled>,
    len: u64,
}

impl<T: Item> ExternalSort<T> {
    /// Runs go to unnamed temporary files in `dir` once `budget` bytes of items are buffered.
    pub fn new(dir: &Path, budget: usize) -> ExternalSort<T> {
        ExternalSort {
            dir: dir.to_owned(),
            budget,
            buffer: Vec::new(),
            weight: 0,
            runs: Vec::new(),
            len: 0,
        }
    }

    pub fn push(&mut self, item: T) -> io::Result<()> {
        self.weight += item.weight();
        self.buffer.push(item);
        self.len += 1;
        if self.weight > self.budget {
            self.spill()?;
        }
        Ok(())
    }

    /// Items pushed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn spill(&mut self) -> io::Result<()> {
        self.buffer.sort();
        let mut run = Spool::new(&self.dir, 0);
        for item in self.buffer.drain(..) {
            item.put(&mut run)?;
        }
        self.runs.push(run.finish()?);
        self.weight = 0;
        if self.runs.len() == MAX_RUNS {
            let mut merged = Spool::new(&self.dir, 0);
            for item in Sorted::<T>::merge(std::mem::take(&mut self.runs))? {
                item?.put(&mut merged)?;
            }
            self.runs.push(merged.finish()?);
        }
        Ok(())
    }

    /// The items, sorted.
    pub fn finish(mut self) -> io::Result<Sorted<T>> {
        if self.runs.is_empty() {
            self.buffer.sort();
            return Ok(Sorted::Memory(self.buffer.into_iter()));
        }
        if !self.buffer.is_empty() {
            self.spill()?;
        }
        Sorted::merge(self.runs)
    }
}

impl<T: Item> Sorted<T> {
    /// The items of sorted `runs`, merged.
    fn merge(runs: Vec<Spooled>) -> io::Result<Sorted<T>> {
        let mut readers: Vec<Box<dyn Read + Send>> = runs
            .into_iter()
            .map(|run| Box::new(run.into_reader()) as Box<dyn Read + Send>)
            .collect();
        let mut heads = BinaryHeap::new();
        for (i, reader) in readers.iter_mut().enumerate() {
            if let Some(item) = T::get(reader)? {
                heads.push(Reverse((item, i)));
            }
        }
        Ok(Sorted::Merge { readers, heads })
    }
}

/// A finished [`ExternalSort`]: its items in order.
pub enum Sorted<T> {
    Memory(std::vec::IntoIter<T>),
    Merge {
        readers: Vec<Box<dyn Read + Send>>,
        /// The next item of each run not yet exhausted, with the run's number.
        heads: BinaryHeap<Reverse<(T, usize)>>,
    },
}

impl<T: Item> Iterator for Sorted<T> {
    type Item = io::Result<T>;

    fn next(&mut self) -> Option<io::Result<T>> {
        match self {
            Sorted::Memory(items) => items.next().map(Ok),
            Sorted::Merge { readers, heads } => {
                let Reverse((item, run)) = heads.pop()?;
                match T::get(&mut readers[run]) {
                    Ok(Some(next)) => heads.push(Reverse((next, run))),
                    Ok(None) => {}
                    Err(e) => return Some(Err(e)),
                }
                Some(Ok(item))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(items: &[(String, u64)], budget: usize) -> (Vec<(String, u64)>, usize) {
        let dir = tempfile::tempdir().unwrap();
        let mut sort = ExternalSort::new(dir.path(), budget);
        for item in items {
            sort.push(item.clone()).unwrap();
        }
        let runs = sort.runs.len();
        let out = sort
            .finish()
            .unwrap()
            .collect::<io::Result<Vec<_>>>()
            .unwrap();
        (out, runs)
    }

    #[test]
    fn items_come_back_sorted_whether_in_memory_or_merged_from_runs() {
        // Pseudo-random keys with many repeats; the second field records the push order.
        let mut x = 12345u64;
        let items: Vec<(String, u64)> = (0..5000)
            .map(|i| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (format!("k{}", (x >> 33) % 700), i)
            })
            .collect();
        let mut expected = items.clone();
        expected.sort();
        let (in_memory, runs) = sorted(&items, usize::MAX);
        assert_eq!(runs, 0);
        assert_eq!(in_memory, expected);
        // Enough runs to be merged into one along the way, and more after that.
        let (merged, runs) = sorted(&items, 1000);
        assert!((2..MAX_RUNS).contains(&runs), "{runs} runs");
        assert_eq!(merged, expected);
    }

    #[test]
    fn nothing_pushed_gives_nothing() {
        assert_eq!(sorted(&[], 0).0, []);
    }

    #[test]
    fn three_fields_sort_by_each_in_turn() {
        let dir = tempfile::tempdir().unwrap();
        let mut sort = ExternalSort::new(dir.path(), 1);
        for item in [("b", 1, "x"), ("a", 2, "y"), ("a", 1, "z"), ("a", 1, "a")] {
            sort.push((item.0.to_owned(), item.1 as u64, item.2.to_owned()))
                .unwrap();
        }
        let out: Vec<_> = sort.finish().unwrap().map(Result::unwrap).collect();
        let keys: Vec<_> = out.iter().map(|(a, b, c)| format!("{a}{b}{c}")).collect();
        assert_eq!(keys, ["a1a", "a1z", "a2y", "b1x"]);
    }
}
