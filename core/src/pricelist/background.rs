//! The background thread of a [`Reader`](super::Reader): parses ahead and hands rows over
//! in batches, so the caller's work on each row overlaps with the parsing.

use std::io::Read;
use std::sync::mpsc::{self, Receiver, SyncSender};

use super::engine::{Engine, Got};
use super::{BadRow, Row};
use crate::error::Error;

/// Rows per batch handed over by the background thread.
const BATCH: usize = 512;
/// Batches in flight between the threads (bounds memory).
const BATCHES_IN_FLIGHT: usize = 4;

/// What the background thread sends, in file order.
pub(crate) enum Event {
    Row(Row),
    Bad(BadRow),
    Fail(Error),
}

struct Batch {
    events: Vec<Event>,
    bytes: u64,
    encoding: Option<&'static encoding_rs::Encoding>,
}

/// The reader's end of a background parsing.
pub(crate) struct Background {
    rx: Receiver<Batch>,
    /// Spent rows go back to the parser to be refilled (only from `read_into`).
    recycle: SyncSender<Vec<Row>>,
    /// Rows the caller gave back, to be recycled with the next batch.
    pub(crate) spent: Vec<Row>,
    events: std::vec::IntoIter<Event>,
    /// Bytes read from the source, as of the last batch.
    pub(crate) bytes: u64,
    /// The encoding in use, as of the last batch.
    pub(crate) encoding: Option<&'static encoding_rs::Encoding>,
}

impl Background {
    /// Moves `engine` to a new thread that parses ahead.
    pub(crate) fn start<R: Read + Send + 'static>(mut engine: Box<Engine<R>>) -> Background {
        let (tx, rx) = mpsc::sync_channel::<Batch>(BATCHES_IN_FLIGHT);
        let (recycle, recycled) = mpsc::sync_channel::<Vec<Row>>(BATCHES_IN_FLIGHT);
        let bytes = engine.bytes();
        let encoding = engine.encoding();
        let names = engine.map().extra_names.clone();
        let spawned = std::thread::Builder::new().name("logibridge-pricelist".into()).spawn(move || {
            let mut pool: Vec<Row> = Vec::new();
            loop {
                if pool.is_empty() {
                    if let Ok(rows) = recycled.try_recv() {
                        pool = rows;
                    }
                }
                let mut events = Vec::with_capacity(BATCH);
                let mut end = false;
                while events.len() < BATCH {
                    let mut row = pool.pop().unwrap_or_else(|| Row::with_extra_names(names.clone()));
                    match engine.next_event(&mut row) {
                        Ok(Got::Row) => events.push(Event::Row(row)),
                        Ok(Got::Bad(bad)) => {
                            pool.push(row);
                            events.push(Event::Bad(bad));
                        }
                        Ok(Got::End) => {
                            end = true;
                            break;
                        }
                        Err(e) => {
                            events.push(Event::Fail(e));
                            end = true;
                            break;
                        }
                    }
                }
                let batch = Batch { events, bytes: engine.bytes(), encoding: engine.encoding() };
                if tx.send(batch).is_err() || end {
                    return; // the reader was dropped, or the list is done
                }
            }
        });
        match spawned {
            Ok(_) => Background { rx, recycle, spent: Vec::new(), events: Vec::new().into_iter(), bytes, encoding },
            Err(e) => {
                // No thread: hand over a single failure.
                let (tx, rx) = mpsc::sync_channel(1);
                let _ = tx.send(Batch {
                    events: vec![Event::Fail(Error::Internal(format!("cannot start the price-list thread: {e}")))],
                    bytes,
                    encoding,
                });
                Background { rx, recycle, spent: Vec::new(), events: Vec::new().into_iter(), bytes, encoding }
            }
        }
    }

    /// The next event, waiting for the next batch when needed; `None` at the end.
    pub(crate) fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.events.next() {
                return Some(e);
            }
            if !self.spent.is_empty() {
                let spent = std::mem::take(&mut self.spent);
                let _ = self.recycle.try_send(spent);
            }
            let batch = self.rx.recv().ok()?;
            self.bytes = batch.bytes;
            self.encoding = batch.encoding.or(self.encoding);
            self.events = batch.events.into_iter();
        }
    }
}
