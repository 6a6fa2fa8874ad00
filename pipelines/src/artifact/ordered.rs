//! Reading many files in parallel while handing their rows on in input order, in bounded
//! memory.
//!
//! Why: a job whose output is sorted by input file can encode and net the rows of one file
//! while later files are still being read, instead of reading everything first and then
//! making a second pass over a copy on disk. The rules that keep this correct and bounded:
//!
//! - Workers take files in index order. A file's batches are handed on only once the file
//!   has been read to the end, so a reader that refuses a file half-way can still discard
//!   everything it produced.
//! - Finished files wait in memory until every file before them has been consumed. The rows
//!   they may hold together are capped ([`Limits::memory_rows`]). The worker reading the next
//!   file in line never waits: what does not fit goes to a temporary Arrow IPC file, read
//!   back when the file's turn comes. Any other worker waits for room. So a large file never
//!   holds memory beyond the cap, and nothing can wait on itself.
//! - If the consumer fails, the workers stop at their next batch and take no new files.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use arrow::ipc::reader::FileReader;
use arrow::ipc::writer::FileWriter;

/// What the ordering itself can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OrderedError {
    #[error("{path}: {reason}", path = path.display())]
    Spill { path: PathBuf, reason: String },
    #[error("reading stopped because another part of the run failed")]
    Stopped,
    #[error("the reader of input file {index} panicked")]
    Panicked { index: usize },
}

/// How many files are read at once, and how many rows finished files may hold in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub workers: usize,
    pub memory_rows: usize,
}

/// A file's batches, in the order they were emitted: those kept in memory, then those
/// spilled to disk.
pub type Batches<'a> = dyn Iterator<Item = Result<RecordBatch, OrderedError>> + 'a;

/// Reads file `index`, emitting its batches; returns what else the file produced.
pub type ReadFn<'r, S, E> = dyn Fn(usize, &mut Emitter<'_, S, E>) -> Result<S, E> + Sync + 'r;

/// Takes file `index`: the reader's outcome, then the file's batches in order.
pub type ConsumeFn<'c, S, E> =
    dyn FnMut(usize, Result<S, E>, &mut Batches<'_>) -> Result<(), E> + 'c;

struct Slot<S, E> {
    batches: Vec<RecordBatch>,
    rows: usize,
    spill: Option<PathBuf>,
    outcome: Option<Result<S, E>>,
}

impl<S, E> Default for Slot<S, E> {
    fn default() -> Self {
        Slot {
            batches: Vec::new(),
            rows: 0,
            spill: None,
            outcome: None,
        }
    }
}

struct State<S, E> {
    /// The first file not yet handed to the consumer.
    head: usize,
    /// Rows held in memory by files not yet handed on.
    held_rows: usize,
    stop: bool,
    slots: Vec<Slot<S, E>>,
}

struct Shared<S, E> {
    state: Mutex<State<S, E>>,
    changed: Condvar,
    memory_rows: usize,
    spill_dir: PathBuf,
    schema: SchemaRef,
}

impl<S, E> Shared<S, E> {
    fn lock(&self) -> MutexGuard<'_, State<S, E>> {
        // A panicking worker is reported by the scope; the state itself stays consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'g>(&self, guard: MutexGuard<'g, State<S, E>>) -> MutexGuard<'g, State<S, E>> {
        self.changed
            .wait(guard)
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn stop(&self) {
        self.lock().stop = true;
        self.changed.notify_all();
    }
}

/// Where a reader puts the batches of one file.
#[allow(missing_debug_implementations)] // holds the shared state and an IPC writer
pub struct Emitter<'a, S, E> {
    shared: &'a Shared<S, E>,
    index: usize,
    spill: Option<(PathBuf, FileWriter<BufWriter<File>>)>,
}

impl<S, E> Emitter<'_, S, E> {
    /// Hands on one batch of the file being read.
    pub fn emit(&mut self, batch: RecordBatch) -> Result<(), OrderedError> {
        if self.spill.is_none() {
            let rows = batch.num_rows();
            let shared = self.shared;
            let mut state = shared.lock();
            loop {
                if state.stop {
                    return Err(OrderedError::Stopped);
                }
                if state.held_rows + rows <= shared.memory_rows {
                    state.held_rows += rows;
                    let slot = &mut state.slots[self.index];
                    slot.rows += rows;
                    slot.batches.push(batch);
                    return Ok(());
                }
                if state.head == self.index {
                    break;
                }
                state = shared.wait(state);
            }
            drop(state);
            self.spill = Some(self.create_spill()?);
        }
        match &mut self.spill {
            Some((path, writer)) => writer.write(&batch).map_err(|e| spill_error(path, &e)),
            None => Ok(()),
        }
    }

    fn create_spill(&self) -> Result<(PathBuf, FileWriter<BufWriter<File>>), OrderedError> {
        let path = self
            .shared
            .spill_dir
            .join(format!("spill-{:06}.arrow", self.index));
        let file = File::create(&path).map_err(|e| spill_error(&path, &e))?;
        let writer = FileWriter::try_new(BufWriter::new(file), &self.shared.schema)
            .map_err(|e| spill_error(&path, &e))?;
        Ok((path, writer))
    }

    fn finish(self) -> Result<Option<PathBuf>, OrderedError> {
        match self.spill {
            Some((path, mut writer)) => {
                writer.finish().map_err(|e| spill_error(&path, &e))?;
                Ok(Some(path))
            }
            None => Ok(None),
        }
    }
}

fn spill_error(path: &Path, e: &dyn std::fmt::Display) -> OrderedError {
    OrderedError::Spill {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// Sets the stop flag however the consumer leaves.
struct StopOnExit<'a, S, E>(&'a Shared<S, E>);

impl<S, E> Drop for StopOnExit<'_, S, E> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Reads files `0..count` with `read` on [`Limits::workers`] threads and hands each one to
/// `consume` on the calling thread, in index order: the reader's outcome, then its batches.
/// Batches of `schema` that must wait beyond the memory cap go to `spill_dir`.
pub fn read_in_order<S, E>(
    count: usize,
    limits: Limits,
    schema: SchemaRef,
    spill_dir: &Path,
    read: &ReadFn<'_, S, E>,
    consume: &mut ConsumeFn<'_, S, E>,
) -> Result<(), E>
where
    S: Send,
    E: Send + From<OrderedError>,
{
    let shared = Shared {
        state: Mutex::new(State {
            head: 0,
            held_rows: 0,
            stop: false,
            slots: (0..count).map(|_| Slot::default()).collect(),
        }),
        changed: Condvar::new(),
        memory_rows: limits.memory_rows,
        spill_dir: spill_dir.to_owned(),
        schema,
    };
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..limits.workers.clamp(1, count.max(1)) {
            scope.spawn(|| work(&shared, &next, count, read));
        }
        let _stop = StopOnExit(&shared);
        for index in 0..count {
            let slot = {
                let mut state = shared.lock();
                while state.slots[index].outcome.is_none() {
                    state = shared.wait(state);
                }
                let slot = std::mem::take(&mut state.slots[index]);
                state.held_rows -= slot.rows;
                state.head = index + 1;
                shared.changed.notify_all();
                slot
            };
            let Slot {
                batches,
                spill,
                outcome,
                ..
            } = slot;
            let Some(outcome) = outcome else { continue };
            let spilled = match &spill {
                Some(path) => Some(open_spill(path)?),
                None => None,
            };
            let mut all = batches
                .into_iter()
                .map(Ok)
                .chain(spilled.into_iter().flatten());
            let consumed = consume(index, outcome, &mut all);
            if let Some(path) = &spill {
                let _ = std::fs::remove_file(path);
            }
            consumed?;
        }
        Ok(())
    })
}

fn open_spill(
    path: &Path,
) -> Result<impl Iterator<Item = Result<RecordBatch, OrderedError>> + use<>, OrderedError> {
    let file = File::open(path).map_err(|e| spill_error(path, &e))?;
    let reader =
        FileReader::try_new(BufReader::new(file), None).map_err(|e| spill_error(path, &e))?;
    let path = path.to_owned();
    Ok(reader.map(move |b| b.map_err(|e| spill_error(&path, &e))))
}

fn work<S, E>(shared: &Shared<S, E>, next: &AtomicUsize, count: usize, read: &ReadFn<'_, S, E>)
where
    E: From<OrderedError>,
{
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        if index >= count || shared.lock().stop {
            return;
        }
        let mut emitter = Emitter {
            shared,
            index,
            spill: None,
        };
        let mut outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(index, &mut emitter)))
                .unwrap_or_else(|_| Err(OrderedError::Panicked { index }.into()));
        let spill = match emitter.finish() {
            Ok(spill) => spill,
            Err(e) => {
                if outcome.is_ok() {
                    outcome = Err(e.into());
                }
                None
            }
        };
        let mut state = shared.lock();
        let slot = &mut state.slots[index];
        slot.outcome = Some(outcome);
        slot.spill = spill;
        shared.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{ArrayRef, UInt64Array};
    use arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![Field::new("v", DataType::UInt64, false)]))
    }

    fn batch(values: std::ops::Range<u64>) -> RecordBatch {
        let column: ArrayRef = Arc::new(UInt64Array::from_iter_values(values));
        RecordBatch::try_new(schema(), vec![column]).unwrap()
    }

    #[derive(Debug)]
    enum TestError {
        Ordered(#[allow(dead_code)] OrderedError),
        Refused(usize),
    }

    impl From<OrderedError> for TestError {
        fn from(e: OrderedError) -> Self {
            TestError::Ordered(e)
        }
    }

    /// Per file consumed: its index, its outcome, its values.
    type Seen = Vec<(usize, Result<u64, String>, Vec<u64>)>;

    /// File `i` has `sizes[i]` rows (values i*1000..), emitted in batches of `per_batch`.
    fn run(sizes: &[u64], per_batch: u64, limits: Limits, refuse: Option<usize>) -> (Seen, usize) {
        let dir = tempfile::tempdir().unwrap();
        let read = |i: usize, out: &mut Emitter<'_, u64, TestError>| {
            let start = i as u64 * 1000;
            let mut at = start;
            while at < start + sizes[i] {
                let end = (at + per_batch).min(start + sizes[i]);
                out.emit(batch(at..end))?;
                at = end;
            }
            if refuse == Some(i) {
                return Err(TestError::Refused(i));
            }
            Ok(sizes[i])
        };
        let mut seen = Vec::new();
        let mut consume = |i: usize, outcome: Result<u64, TestError>, batches: &mut Batches<'_>| {
            let mut values = Vec::new();
            for b in batches {
                let b = b?;
                let column = b.column(0).as_any().downcast_ref::<UInt64Array>().unwrap();
                values.extend(column.values().iter().copied());
            }
            seen.push((i, outcome.map_err(|e| format!("{e:?}")), values));
            Ok(())
        };
        read_in_order(
            sizes.len(),
            limits,
            schema(),
            dir.path(),
            &read,
            &mut consume,
        )
        .unwrap();
        let left = std::fs::read_dir(dir.path()).unwrap().count();
        (seen, left)
    }

    fn expected(sizes: &[u64]) -> Vec<Vec<u64>> {
        sizes
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u64 * 1000..i as u64 * 1000 + n).collect())
            .collect()
    }

    #[test]
    fn files_arrive_whole_and_in_order_whatever_the_limits() {
        let sizes = [300, 0, 7, 999, 1, 450, 64, 0, 500, 3];
        for (workers, memory_rows) in [(1, 10_000), (2, 10_000), (4, 100), (3, 1), (8, 0)] {
            let limits = Limits {
                workers,
                memory_rows,
            };
            let (seen, left) = run(&sizes, 64, limits, None);
            let order: Vec<usize> = seen.iter().map(|s| s.0).collect();
            assert_eq!(order, (0..sizes.len()).collect::<Vec<_>>(), "{limits:?}");
            let values: Vec<Vec<u64>> = seen.iter().map(|s| s.2.clone()).collect();
            assert_eq!(values, expected(&sizes), "{limits:?}");
            assert_eq!(left, 0, "spill files are removed ({limits:?})");
        }
    }

    #[test]
    fn a_refused_file_still_arrives_in_its_place_with_its_outcome() {
        let sizes = [10, 20, 30];
        let limits = Limits {
            workers: 2,
            memory_rows: 5,
        };
        let (seen, _) = run(&sizes, 4, limits, Some(1));
        assert_eq!(seen[1].1, Err("Refused(1)".to_owned()));
        assert_eq!(seen[0].1, Ok(10));
        assert_eq!(seen[2].1, Ok(30));
    }

    #[test]
    fn a_consumer_error_stops_the_workers() {
        let dir = tempfile::tempdir().unwrap();
        let sizes = vec![100u64; 50];
        let read = |i: usize, out: &mut Emitter<'_, u64, TestError>| {
            for k in 0..sizes[i] {
                out.emit(batch(k..k + 1))?;
            }
            Ok(sizes[i])
        };
        let mut consume = |i: usize, _: Result<u64, TestError>, _: &mut Batches<'_>| {
            if i == 3 {
                Err(TestError::Refused(i))
            } else {
                Ok(())
            }
        };
        let limits = Limits {
            workers: 2,
            memory_rows: 10,
        };
        let result = read_in_order(50, limits, schema(), dir.path(), &read, &mut consume);
        assert!(matches!(result, Err(TestError::Refused(3))));
    }
}
