//! [`par_for_each`]: parsing a price list on several cores.
//!
//! The calling thread cuts the input: it reads the source in blocks of about 512 KiB, finds
//! the last record end in each with the reader's own record splitter (`split`: in bulk over
//! stretches without quotes, record by record where there are quotes), counts the lines of
//! every record (line feeds inside quoted fields included) and hands whole-record blocks
//! with their first line number to worker threads through a bounded channel. Each worker
//! parses its blocks with the same engine as [`Reader`] and hands borrowed rows to the
//! visitor. Block buffers are reused; at most `2 × threads + 2` exist at a time.
//!
//! [`Reader`]: super::Reader

use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Mutex;
use std::time::Duration;

use super::columns::ColumnMap;
use super::decode::Text;
use super::engine::{Engine, Got, Handover};
use super::options::{OnError, Options};
use super::report::stop_error;
use super::split::{self, count_records, quote_free_end, Skip, Split, PAD};
use super::{BadRow, RowRef, Summary};
use crate::error::{Error, Result};

/// Bytes of input per block handed to a worker.
const PAR_BLOCK: usize = 512 * 1024;

/// What a parallel reading gives back besides the rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParOutcome {
    /// Counts: rows handed to the visitor, bad rows, bytes read.
    pub summary: Summary,
    /// The bad rows, sorted by line (the first [`Options::max_errors_kept`]).
    pub bad_rows: Vec<BadRow>,
    /// The header cells, as written in the file (trimmed).
    pub headers: Vec<String>,
}

/// A block of whole records for a worker.
struct Job {
    index: u64,
    buf: Vec<u8>,
    len: usize,
    line: u64,
    text: Text,
}

/// State shared by the cutter and the workers.
struct Shared {
    /// Set on a visitor error, an I/O error or a panic: everyone stops.
    abort: AtomicBool,
    /// Under [`OnError::Stop`]: the lowest block index holding a bad row; later blocks are
    /// not needed.
    stop_block: AtomicU64,
    error: Mutex<Option<Error>>,
}

impl Shared {
    fn fail(&self, e: Error) {
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(e);
        }
        self.abort.store(true, Ordering::Relaxed);
    }

    fn skip(&self, index: u64) -> bool {
        self.abort.load(Ordering::Relaxed) || index > self.stop_block.load(Ordering::Relaxed)
    }
}

/// Sets `abort` if the thread unwinds, so the cutter does not wait for it forever.
struct PanicGuard<'a>(&'a Shared);

impl Drop for PanicGuard<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.abort.store(true, Ordering::Relaxed);
        }
    }
}

/// Counts and reports of one thread.
#[derive(Default)]
struct Tally {
    rows_ok: u64,
    rows_bad: u64,
    bad: Vec<BadRow>,
}

struct Policy {
    on_error: OnError,
    max_kept: usize,
}

/// The index [`BlockVisitor`]s see for the rest of a list read on the calling thread (after
/// every worker has finished), when the cutter gave up on it.
pub(crate) const REST_BLOCK: u64 = u64::MAX - 1;

/// A worker's own visitor for [`par_for_each_blocks`]: one per worker thread (and one for the
/// rest read on the calling thread), so it can keep state per block without locks. A worker
/// takes blocks in file order, so one visitor sees increasing block indices and lines.
pub(crate) trait BlockVisitor {
    /// Block `index` (0, 1, … in file order; [`REST_BLOCK`] for the rest) starts.
    fn start_block(&mut self, index: u64) -> Result<()>;
    /// A good row of the current block, in file order within the block.
    fn row(&mut self, row: RowRef<'_>) -> Result<()>;
    /// The block ended; `stopped_at` is the bad row that ended it under [`OnError::Stop`]
    /// (rows after it in the block were not read).
    fn end_block(&mut self, index: u64, stopped_at: Option<&BadRow>) -> Result<()>;
}

/// [`par_for_each`]'s visitor: the caller's shared closure.
struct EachRow<'f, F>(&'f F);

impl<F: Fn(RowRef<'_>) -> Result<()> + Sync> BlockVisitor for EachRow<'_, F> {
    fn start_block(&mut self, _: u64) -> Result<()> {
        Ok(())
    }
    fn row(&mut self, row: RowRef<'_>) -> Result<()> {
        (self.0)(row)
    }
    fn end_block(&mut self, _: u64, _: Option<&BadRow>) -> Result<()> {
        Ok(())
    }
}

/// Runs `engine` to its end (or to the first bad row under [`OnError::Stop`]), handing every
/// good row to `v`; block `index` starts and ends around it.
fn drain<R: Read, V: BlockVisitor>(engine: &mut Engine<R>, index: u64, v: &mut V, shared: &Shared, tally: &mut Tally, policy: &Policy) {
    let mut stopped_at = None;
    let result = v.start_block(index).and_then(|()| loop {
        if shared.abort.load(Ordering::Relaxed) {
            return Ok(());
        }
        match engine.next_ref_event()? {
            Got::Row => {
                tally.rows_ok += 1;
                v.row(engine.row_ref())?;
            }
            Got::Bad(bad) => {
                tally.rows_bad += 1;
                if policy.on_error == OnError::Stop {
                    shared.stop_block.fetch_min(index, Ordering::Relaxed);
                    stopped_at = Some(bad.clone());
                }
                if tally.bad.len() < policy.max_kept || policy.on_error == OnError::Stop {
                    tally.bad.push(bad);
                }
                if stopped_at.is_some() {
                    return Ok(());
                }
            }
            Got::End => return Ok(()),
        }
    });
    if let Err(e) = result.and_then(|()| v.end_block(index, stopped_at.as_ref())) {
        shared.fail(e);
    }
}

/// Reads a price list on `threads` worker threads (0: one per core) and hands every good
/// row to `f` as a [`RowRef`], without allocating per row.
///
/// * **Order**: rows arrive in no particular order, from several threads at once
///   (`f` is `Fn + Sync`); [`RowRef::line`] tells where each one is. Within a block of about
///   512 KiB rows come in file order.
/// * **Bad rows**: the same rows as the iterator finds, with the same lines, columns and
///   reasons. With [`OnError::Collect`] they are returned in [`ParOutcome::bad_rows`],
///   sorted by line. With [`OnError::Stop`] the call returns the error of the *first* bad
///   row of the file (the one [`Reader`](super::Reader) would stop at), but rows after it
///   may already have been handed to `f` by then.
/// * **Errors**: the first error `f` returns stops the reading and is returned; so are I/O
///   errors. A panic in `f` is passed on.
/// * **Memory**: a few MiB in all (blocks of 512 KiB, reused), whatever the size of the
///   list.
///
/// The header is read on the calling thread, which then splits the input into blocks at
/// record ends (quote-aware) and counts lines. [`Encoding::Auto`](super::Encoding::Auto)
/// decides between UTF-8 and CP1251 on the same bytes as the iterator (the 64 KiB from the
/// first non-ASCII byte, decided as they are read), so every block with a non-ASCII byte
/// goes out with that decision and all-ASCII blocks need none. A record whose
/// quote is never closed, or one close to [`Options::max_record_bytes`], makes the rest of
/// the list be read on the calling thread, as the iterator reads it.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use logibridge::pricelist::{par_for_each, OnError, Options};
/// let csv = "Артикул;Цена;Наименование\nA1;1,5;\"two\nlines\"\nA2;2;x\n;3;no code\nA4;4;y\n";
/// let cents = AtomicU64::new(0);
/// let outcome = par_for_each(csv.as_bytes(), Options::new().on_error(OnError::Collect), 2, |row| {
///     let c = (row.price() * rust_decimal::Decimal::from(100)).try_into().unwrap_or(0u64);
///     cents.fetch_add(c, Ordering::Relaxed);
///     Ok(())
/// })?;
/// assert_eq!(cents.into_inner(), 750);
/// assert_eq!(outcome.summary.rows_ok, 3);
/// assert_eq!(outcome.bad_rows[0].line, 5);
/// # Ok::<(), logibridge::Error>(())
/// ```
pub fn par_for_each<R, F>(source: R, options: Options, threads: usize, f: F) -> Result<ParOutcome>
where
    R: Read,
    F: Fn(RowRef<'_>) -> Result<()> + Sync,
{
    par_for_each_blocks(source, options, threads, |_: &[String], _: &ColumnMap| EachRow(&f))
}

/// [`par_for_each`] with a [`BlockVisitor`] per worker, made by `visitor` from the header
/// cells and the column map (called on the calling thread once the header is read, before
/// any row).
pub(crate) fn par_for_each_blocks<R, V, N>(source: R, options: Options, threads: usize, visitor: N) -> Result<ParOutcome>
where
    R: Read,
    V: BlockVisitor + Send,
    N: Fn(&[String], &ColumnMap) -> V + Sync,
{
    let threads = match threads {
        0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        n => n,
    };
    let policy = Policy { on_error: options.on_error, max_kept: options.max_errors_kept };
    let mut handover = Engine::new(source, &options)?.hand_over();
    let headers = handover.headers.clone();
    let shared = Shared { abort: AtomicBool::new(false), stop_block: AtomicU64::new(u64::MAX), error: Mutex::new(None) };
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(threads);
    let job_rx = Mutex::new(job_rx);
    let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();

    let (mut tallies, split_result) = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (job_rx, free_tx, shared, policy) = (&job_rx, free_tx.clone(), &shared, &policy);
                let mut v = visitor(&handover.headers, &handover.map);
                let (headers, map) = (handover.headers.clone(), handover.map.clone());
                let (delimiter, max_record) = (handover.delimiter, handover.max_record);
                s.spawn(move || {
                    let _guard = PanicGuard(shared);
                    let mut engine = Engine::for_blocks(headers, map, delimiter, max_record);
                    let mut tally = Tally::default();
                    loop {
                        let job = match job_rx.lock().unwrap_or_else(|p| p.into_inner()).recv() {
                            Ok(job) => job,
                            Err(_) => break,
                        };
                        let index = job.index;
                        if shared.skip(index) {
                            let _ = free_tx.send(job.buf);
                            continue;
                        }
                        engine.load_block(job.buf, job.len, job.line, job.text);
                        drain(&mut engine, index, &mut v, shared, &mut tally, policy);
                        let _ = free_tx.send(engine.take_block());
                    }
                    tally
                })
            })
            .collect();
        let mut cutter = Cutter {
            shared: &shared,
            job_tx,
            free_rx,
            buffers: 0,
            max_buffers: 2 * threads + 2,
        };
        let split_result = cutter.run(&mut handover);
        let Cutter { job_tx, .. } = cutter;
        let mut tally = Tally::default();
        drop(job_tx); // the workers finish the blocks queued and stop
        let mut tallies = Vec::with_capacity(threads + 1);
        let mut panic = None;
        for w in workers {
            match w.join() {
                Ok(t) => tallies.push(t),
                Err(p) => panic = Some(p),
            }
        }
        if let Some(p) = panic {
            std::panic::resume_unwind(p);
        }
        // The rest of the list read on this thread, if the cutter gave up on it.
        let result = match split_result {
            Ok(Some(rest)) if !shared.skip(REST_BLOCK) => {
                let Rest { buf, start, len, eof, line, text } = rest;
                let mut v = visitor(&handover.headers, &handover.map);
                let mut engine = handover.resume(&buf[start..len], eof, line, text);
                drain(&mut engine, REST_BLOCK, &mut v, &shared, &mut tally, &policy);
                Ok(engine.bytes())
            }
            Ok(_) => Ok(handover.bytes()),
            Err(e) => Err(e),
        };
        tallies.push(tally);
        (tallies, result)
    });
    let bytes = split_result?;
    if let Some(e) = shared.error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    let mut bad: Vec<BadRow> = tallies.iter_mut().flat_map(|t| std::mem::take(&mut t.bad)).collect();
    bad.sort_by_key(|b| b.line);
    if policy.on_error == OnError::Stop {
        if let Some(first) = bad.first() {
            return Err(stop_error(first));
        }
    }
    bad.truncate(policy.max_kept);
    let summary = Summary {
        rows_ok: tallies.iter().map(|t| t.rows_ok).sum(),
        rows_bad: tallies.iter().map(|t| t.rows_bad).sum(),
        bytes,
    };
    Ok(ParOutcome { summary, bad_rows: bad, headers })
}

/// Where the cutter gave up: the rest is `buf[start..len]` then the source.
struct Rest {
    buf: Vec<u8>,
    start: usize,
    len: usize,
    eof: bool,
    line: u64,
    text: Text,
}

/// The calling thread's side: cuts the input into blocks of whole records for the workers.
struct Cutter<'a> {
    shared: &'a Shared,
    job_tx: SyncSender<Job>,
    free_rx: Receiver<Vec<u8>>,
    buffers: usize,
    max_buffers: usize,
}

impl Cutter<'_> {
    /// A buffer of at least `size + PAD` bytes: a spent one, or a new one while there
    /// are fewer than `max_buffers`.
    fn buffer(&mut self, size: usize) -> Option<Vec<u8>> {
        let mut buf = match self.free_rx.try_recv() {
            Ok(b) => b,
            Err(_) if self.buffers < self.max_buffers => {
                self.buffers += 1;
                Vec::new()
            }
            Err(_) => loop {
                match self.free_rx.recv_timeout(Duration::from_millis(50)) {
                    Ok(b) => break b,
                    Err(RecvTimeoutError::Timeout) if !self.shared.abort.load(Ordering::Relaxed) => continue,
                    Err(_) => return None,
                }
            },
        };
        if buf.len() < size + PAD {
            buf.resize(size + PAD, 0);
        }
        Some(buf)
    }

    /// Splits the source into blocks of whole records. `Ok(Some(rest))` when the rest must
    /// be read on this thread.
    fn run<R: Read>(&mut self, h: &mut Handover<R>) -> Result<Option<Rest>> {
        let (d, max_record) = (h.delimiter, h.max_record);
        let pending = std::mem::take(&mut h.pending);
        let Some(mut cur) = self.buffer(PAR_BLOCK.max(pending.len())) else { return Ok(None) };
        cur[..pending.len()].copy_from_slice(&pending);
        let mut len = pending.len();
        let mut eof = h.eof;
        let mut line = h.line;
        let mut text = h.text.clone();
        let mut block_line = line;
        let mut scanned = 0;
        let mut index = 0u64;
        loop {
            if self.shared.skip(index) {
                return Ok(None);
            }
            let target = cur.len() - PAD;
            // (A transcoding source needs room for a whole character per read.)
            while len + 64 <= target && !eof {
                let n = h.read(&mut cur[len..target])?;
                eof = n == 0;
                len += n;
            }
            let mut give_up = false;
            // Stretches without quotes are counted a step of 16 bytes at a time; a record
            // holding a quote is split as the reader splits it. (Only while no record of
            // the buffer can come near the length limit.)
            let fast = max_record > cur.len() + 2;
            let mut quote = None;
            while scanned < len {
                if fast {
                    let q = match quote {
                        Some(q) if q >= scanned => Some(q),
                        _ => memchr::memchr(b'"', &cur[scanned..len]).map(|k| scanned + k),
                    };
                    quote = q;
                    let end = quote_free_end(&cur[..len], scanned, q.unwrap_or(len), eof);
                    line += count_records(&cur[scanned..end]);
                    scanned = end;
                    if q.is_none() {
                        if eof && scanned < len {
                            scanned = len; // the last record, without a line break
                            line += 1;
                        }
                        break;
                    }
                    if scanned >= len {
                        break;
                    }
                }
                match split::record(&cur, scanned, len, eof, d, &mut Skip) {
                    Split::Record { next, lines, .. } => {
                        if next - scanned + 2 >= max_record {
                            // Whether the reader takes a record this long depends on how
                            // its reads fall: leave it to the reader itself.
                            give_up = true;
                            break;
                        }
                        scanned = next;
                        line += lines;
                    }
                    Split::NeedMore => break,
                    Split::Unterminated => {
                        give_up = true;
                        break;
                    }
                }
            }
            if !give_up && scanned == 0 && !eof {
                if len + 2 >= max_record {
                    give_up = true;
                } else {
                    // One record longer than the buffer: grow it.
                    cur.resize(2 * target + PAD, 0);
                    continue;
                }
            }
            let done = eof && scanned == len;
            let carry = len - scanned;
            let next_buf = if give_up || done {
                None
            } else {
                match self.buffer(PAR_BLOCK.max(2 * carry)) {
                    Some(mut b) => {
                        b[..carry].copy_from_slice(&cur[scanned..len]);
                        Some(b)
                    }
                    None => return Ok(None),
                }
            };
            let rest_buf = if give_up { Some(cur[scanned..len].to_vec()) } else { None };
            if text.is_undecided() {
                // Every byte of the block went through the source, so a block with a
                // non-ASCII byte has its decision.
                if let Some(enc) = h.decision() {
                    text = Text::for_encoding(enc);
                }
            }
            if scanned > 0 {
                let job = Job { index, buf: cur, len: scanned, line: block_line, text: text.clone() };
                if self.job_tx.send(job).is_err() {
                    return Ok(None);
                }
                index += 1;
            }
            if let Some(buf) = rest_buf {
                let len = buf.len();
                return Ok(Some(Rest { buf, start: 0, len, eof, line, text }));
            }
            let Some(b) = next_buf else { return Ok(None) };
            cur = b;
            len = carry;
            scanned = 0;
            block_line = line;
        }
    }
}
