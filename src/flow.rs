//! An ordered parallel flow: every worker thread takes the next item, works on it, and hands the
//! result on; results reach the sink one at a time in the items' order, whichever thread
//! finished them. There is no barrier between batches: a core idles only when the bytes in
//! flight (taken and not yet sunk) reach the budget, and then it drains the sink instead of
//! waiting, so both cores stay busy to the end of a release (issue 20).
//!
//! The sink runs on whichever worker finds the next result ready (never two at once), so the
//! flow uses exactly as many threads as the pool has (`--threads`): at one thread it is a
//! plain loop, which keeps the one-thread figures honest.
//!
//! Memory: the items in flight are at most `budget` bytes by their `size` (one item larger than
//! the budget is let through alone), whatever the order they finish in.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError, TryLockError};

/// Work on every item of `items` in parallel and give the results to `sink` in order. Stops
/// taking items at the first error of `sink`, and returns it.
pub fn ordered<T, R, E>(
    items: impl Iterator<Item = T> + Send,
    size: impl Fn(&T) -> u64 + Sync,
    budget: u64,
    work: impl Fn(T) -> R + Sync,
    sink: impl FnMut(R) -> Result<(), E> + Send,
) -> Result<(), E>
where
    T: Send,
    R: Send,
    E: Send,
{
    let flow = Flow {
        source: Mutex::new(Source {
            items: (Box::new(items) as Box<dyn Iterator<Item = T> + Send>).peekable(),
            taken: 0,
            in_flight: 0,
        }),
        room: Condvar::new(),
        ready: Mutex::new(BTreeMap::new()),
        sink: Mutex::new(Sink {
            sink: Box::new(sink),
            error: None,
        }),
        written: AtomicUsize::new(0),
        failed: AtomicBool::new(false),
        size: &size,
        budget,
        work: &work,
    };
    let threads = rayon::current_num_threads().max(1);
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(|| flow.worker());
        }
        flow.worker();
    });
    flow.drain(true);
    let sink = flow
        .sink
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    match sink.error {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

type Items<'a, T> = std::iter::Peekable<Box<dyn Iterator<Item = T> + Send + 'a>>;

struct Source<'a, T> {
    items: Items<'a, T>,
    /// Items taken so far (the index of the next one).
    taken: usize,
    /// Bytes of the items taken and not yet sunk.
    in_flight: u64,
}

struct Sink<'a, R, E> {
    sink: Box<dyn FnMut(R) -> Result<(), E> + Send + 'a>,
    error: Option<E>,
}

struct Flow<'a, T, R, E, S, W> {
    source: Mutex<Source<'a, T>>,
    /// Signalled when bytes in flight are sunk, or the flow fails.
    room: Condvar,
    /// Results finished out of order: index -> (result, size).
    ready: Mutex<BTreeMap<usize, (R, u64)>>,
    sink: Mutex<Sink<'a, R, E>>,
    /// Results sunk so far (the index of the next one to sink).
    written: AtomicUsize,
    failed: AtomicBool,
    size: &'a S,
    budget: u64,
    work: &'a W,
}

fn lock<X>(mutex: &Mutex<X>) -> MutexGuard<'_, X> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Marks the flow failed if a worker panics, so the others stop instead of waiting for room
/// the panicked one would have made. The panic itself reaches the caller from the scope.
struct PanicGuard<'f>(&'f AtomicBool, &'f Condvar);

impl Drop for PanicGuard<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::SeqCst);
            self.1.notify_all();
        }
    }
}

impl<T, R, E, S, W> Flow<'_, T, R, E, S, W>
where
    S: Fn(&T) -> u64 + Sync,
    W: Fn(T) -> R + Sync,
{
    fn worker(&self) {
        let _guard = PanicGuard(&self.failed, &self.room);
        while let Some((index, item, size)) = self.take() {
            let result = (self.work)(item);
            lock(&self.ready).insert(index, (result, size));
            self.drain(false);
        }
    }

    /// The next item, when there is room for it; `None` at the end or once the flow failed.
    fn take(&self) -> Option<(usize, T, u64)> {
        let mut source = lock(&self.source);
        loop {
            if self.failed.load(Ordering::SeqCst) {
                return None;
            }
            let size = (self.size)(source.items.peek()?);
            if source.in_flight == 0 || source.in_flight + size <= self.budget {
                let item = source.items.next()?;
                let index = source.taken;
                source.taken += 1;
                source.in_flight += size;
                return Some((index, item, size));
            }
            // No room: sink what is ready (the next result may be finished and waiting for a
            // sink), or wait for the thread working on it.
            drop(source);
            if !self.drain(true) {
                source = lock(&self.source);
                if source.in_flight + size > self.budget && source.in_flight > 0 {
                    source = self
                        .room
                        .wait(source)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            } else {
                source = lock(&self.source);
            }
        }
    }

    /// Sink the results that are next in order, if no other thread is sinking (`wait`: even
    /// if one is, after it). Whether anything was sunk.
    fn drain(&self, wait: bool) -> bool {
        let mut sunk_any = false;
        loop {
            let mut sink = if wait {
                lock(&self.sink)
            } else {
                match self.sink.try_lock() {
                    Ok(guard) => guard,
                    Err(TryLockError::Poisoned(e)) => e.into_inner(),
                    // The thread sinking now sees this result, or sees it after it lets go (below).
                    Err(TryLockError::WouldBlock) => return sunk_any,
                }
            };
            loop {
                let next = self.written.load(Ordering::SeqCst);
                let Some((result, size)) = lock(&self.ready).remove(&next) else {
                    break;
                };
                if sink.error.is_none()
                    && let Err(error) = (sink.sink)(result)
                {
                    sink.error = Some(error);
                    self.failed.store(true, Ordering::SeqCst);
                }
                self.written.store(next + 1, Ordering::SeqCst);
                sunk_any = true;
                lock(&self.source).in_flight -= size;
                self.room.notify_all();
            }
            drop(sink);
            // A result that arrived while this thread held the sink, from a thread that found it
            // taken, is sunk here.
            let next = self.written.load(Ordering::SeqCst);
            if !lock(&self.ready).contains_key(&next) {
                return sunk_any;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(threads: usize, n: usize, budget: u64) -> Vec<usize> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut out = Vec::new();
        pool.install(|| {
            ordered(
                0..n,
                |&i| (i % 7) as u64 + 1,
                budget,
                |i| {
                    // Uneven work, so results finish out of order.
                    std::thread::sleep(std::time::Duration::from_micros(((i * 37) % 11) as u64));
                    i * 2
                },
                |r| {
                    out.push(r);
                    Ok::<(), ()>(())
                },
            )
            .unwrap();
        });
        out
    }

    #[test]
    fn results_reach_the_sink_in_order_at_every_thread_count_and_budget() {
        let expected: Vec<usize> = (0..500).map(|i| i * 2).collect();
        for threads in [1, 2, 4] {
            for budget in [1, 8, 1 << 20] {
                assert_eq!(
                    run(threads, 500, budget),
                    expected,
                    "{threads} threads, {budget}"
                );
            }
        }
    }

    #[test]
    fn bytes_in_flight_stay_within_the_budget() {
        let in_flight = std::sync::atomic::AtomicU64::new(0);
        let peak = std::sync::atomic::AtomicU64::new(0);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        pool.install(|| {
            ordered(
                0..400u64,
                |_| 10,
                35,
                |i| {
                    let now = in_flight.fetch_add(10, Ordering::SeqCst) + 10;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_micros(i % 5));
                    i
                },
                |_| {
                    in_flight.fetch_sub(10, Ordering::SeqCst);
                    Ok::<(), ()>(())
                },
            )
            .unwrap();
        });
        // Three items of 10 fit in 35; a fourth never starts before one is sunk.
        assert!(peak.load(Ordering::SeqCst) <= 30, "{peak:?}");
        assert!(
            peak.load(Ordering::SeqCst) >= 20,
            "the flow ran in parallel"
        );
    }

    #[test]
    fn the_first_sink_error_stops_the_flow_and_is_returned() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let mut seen = Vec::new();
        let result = pool.install(|| {
            ordered(
                0..10_000usize,
                |_| 1,
                16,
                |i| i,
                |i| {
                    seen.push(i);
                    if i == 100 {
                        Err(format!("at {i}"))
                    } else {
                        Ok(())
                    }
                },
            )
        });
        assert_eq!(result, Err("at 100".to_owned()));
        assert_eq!(seen, (0..=100).collect::<Vec<_>>());
    }
}
