//! The callback journal: every callback the [receiver](super::receiver) accepted, in the
//! order it accepted them, in a file any tool can read. (Not to be confused with the
//! service's change journal of orders, [`super::journal`].)
//!
//! # Format
//!
//! Two files, both [JSON Lines](https://jsonlines.org/) (UTF-8, one JSON object per line,
//! each line ending in `\n`), both only ever appended to:
//!
//! **The journal** (the path given to the receiver, e.g. `callbacks.jsonl`), one line per
//! callback:
//!
//! ```text
//! {"seq":1,"received_at":"2026-11-29T11:45:11.123456Z","kind":"order","sha256":"9f86…","body":{"items":[{"orderId":209900,"amountToPay":"679.570"}]}}
//! ```
//!
//! | member        | meaning |
//! |---------------|---------|
//! | `seq`         | 1, 2, 3, …: the entry's number, greater than the line before's |
//! | `received_at` | when the entry was written, RFC 3339 in UTC with microseconds |
//! | `kind`        | `order` (`ireca.callback.order`, `{"items":[order…]}`) or `license_session` (`ireca.callback.license_session`, a courier's session closed) |
//! | `sha256`      | SHA-256 of the `body` text as it stands in the line, lower-case hex |
//! | `body`        | the callback's JSON exactly as received, less the whitespace between tokens (strings, numbers such as `"679.570"` or `679.570`, key order: all kept byte for byte) |
//!
//! `body` is always the last member, so its text can be cut from the line without a JSON
//! parser that would reformat numbers: it runs from after the first `,"body":` to the
//! line's final `}`. The same callback delivered twice (the service retrying after a lost
//! answer) gets two lines with different `seq` and the same `sha256`.
//!
//! **The acknowledgements**, beside it with `.acks` added to the name
//! (`callbacks.jsonl.acks`), one line per entry the application has processed:
//!
//! ```text
//! {"seq":1,"acked_at":"2026-11-29T11:45:12.000001Z"}
//! ```
//!
//! An entry is *pending* until its `seq` appears there. Acknowledgements may come in any
//! order; nothing is ever rewritten, so the journal stays a complete record.
//!
//! # Durability
//!
//! A line is written and `fsync`ed (`fdatasync`) before the receiver answers 201, and an
//! acknowledgement before [`ack`](super::receiver::CallbackReceiver::ack) returns; a
//! newly created file's directory is synced too. A crash can therefore leave at most one
//! torn line at the end of either file: one whose write was never confirmed to anybody.
//! Opening the journal cuts such a tail off (and logs it); the service, never having had
//! its 201, delivers that callback again. Any other line that does not read as above
//! (a broken line in the middle, a `sha256` that does not match its `body`, a `seq` out of
//! order, an acknowledgement of an entry the journal does not have) stops the receiver
//! from starting, with the file and line in the error: a damaged record is for a person to
//! look at, not to be skipped silently.
//!
//! A write that fails (disk full, file size limit) is undone by truncating the file back to
//! its previous length, so the next callback starts on a clean line. A failed `fsync`
//! leaves the page cache in an unknown state, so after one the journal refuses every
//! further write until it is opened again.
//!
//! While open, the journal holds an exclusive `flock` on the journal file (Unix): a second
//! receiver on the same file is refused instead of interleaving lines. The lock goes with
//! the process, also on `kill -9`.
//!
//! The unacknowledged entries are kept in memory as well (the backlog, normally short). The
//! journal grows for ever; to start a new one, stop the receiver when nothing is pending
//! and move both files away.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use crate::error::{russian, Error, Result};

/// Which of the service's two callbacks an entry holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallbackKind {
    /// `ireca.callback.order`: `{"items":[order…]}`, sent when orders change.
    Order,
    /// `ireca.callback.license_session`: a courier's session on a device closed
    /// (`sessionId`, `courierId`, `deviceId`, …).
    LicenseSession,
}

impl CallbackKind {
    /// The journal's `kind` text: `order` or `license_session`.
    ///
    /// ```
    /// use logibridge::ireca::callback_journal::CallbackKind;
    /// assert_eq!(CallbackKind::LicenseSession.as_str(), "license_session");
    /// assert_eq!(CallbackKind::parse("order"), Some(CallbackKind::Order));
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            CallbackKind::Order => "order",
            CallbackKind::LicenseSession => "license_session",
        }
    }

    /// The kind named by a journal's `kind` text; `None` for any other text.
    pub fn parse(text: &str) -> Option<CallbackKind> {
        match text {
            "order" => Some(CallbackKind::Order),
            "license_session" => Some(CallbackKind::LicenseSession),
            _ => None,
        }
    }
}

impl fmt::Display for CallbackKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One callback as the journal holds it: one line of the journal file (see the
/// [module docs](self) for the format).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    seq: u64,
    received_at: DateTime<Utc>,
    kind: CallbackKind,
    sha256: String,
    body: String,
}

impl Entry {
    /// The entry's number in the journal: 1 for the first, one more for each next.
    pub fn seq(&self) -> u64 {
        self.seq
    }
    /// When the entry was written (just after its body was received), UTC.
    pub fn received_at(&self) -> DateTime<Utc> {
        self.received_at
    }
    /// Which callback it is.
    pub fn kind(&self) -> CallbackKind {
        self.kind
    }
    /// SHA-256 of [`body`](Self::body), 64 lower-case hex digits: equal for a duplicate
    /// delivery of the same callback.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
    /// The callback's JSON text as received, less the whitespace between tokens; read it
    /// with [`super::parse_order_callback`] / [`super::parse_license_callback`] or any JSON
    /// reader.
    pub fn body(&self) -> &str {
        &self.body
    }
    /// The entry's line in the journal file, without the final `\n`.
    pub fn to_json_line(&self) -> String {
        format!(
            "{{\"seq\":{},\"received_at\":\"{}\",\"kind\":\"{}\",\"sha256\":\"{}\",\"body\":{}}}",
            self.seq,
            self.received_at.to_rfc3339_opts(SecondsFormat::Micros, true),
            self.kind,
            self.sha256,
            self.body
        )
    }
}

/// Why a body cannot go into the journal, ever: the receiver answers 400.
#[derive(Debug)]
pub(crate) struct NotJson {
    pub(crate) message: String,
    pub(crate) message_ru: String,
}

/// The body's JSON text with the whitespace between tokens removed, after checking it is
/// one JSON value in UTF-8. Every token (strings with their escapes, numbers as written)
/// is kept byte for byte, so the text fits on one journal line and means what was sent.
pub(crate) fn compact_json(raw: &[u8]) -> Result<String, NotJson> {
    let text = std::str::from_utf8(raw).map_err(|e| NotJson {
        message: format!("the body is not UTF-8 text: {e}"),
        message_ru: format!("тело запроса не в кодировке UTF-8: {e}"),
    })?;
    // A full parse (not `IgnoredAny`, which skips strings unchecked and nests without a
    // limit): a body stored here must read with any JSON reader, `\ud800` and 5,000 levels
    // of nesting included.
    serde_json::from_str::<serde_json::Value>(text).map_err(|e| {
        let en = e.to_string();
        NotJson { message: format!("the body is not JSON: {en}"), message_ru: format!("тело запроса — не JSON: {}", russian::serde_message(&en)) }
    })?;
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_string = c == '"';
            out.push(c);
        }
    }
    Ok(out)
}

/// SHA-256 of `text`, lower-case hex.
fn sha256_hex(text: &str) -> String {
    use fmt::Write as _;
    Sha256::digest(text.as_bytes()).iter().fold(String::with_capacity(64), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// The acknowledged sequence numbers, kept as "everything through `through`" plus the few
/// acknowledged out of order above it, so a long history costs one number.
#[derive(Default)]
struct Acked {
    through: u64,
    above: BTreeSet<u64>,
}

impl Acked {
    fn insert(&mut self, seq: u64) {
        if seq > self.through {
            self.above.insert(seq);
            while self.above.remove(&(self.through + 1)) {
                self.through += 1;
            }
        }
    }
    fn contains(&self, seq: u64) -> bool {
        seq <= self.through || self.above.contains(&seq)
    }
    fn max(&self) -> u64 {
        self.above.last().copied().unwrap_or(self.through)
    }
}

/// The journal and its acknowledgements, open for appending.
pub(crate) struct Journal {
    path: PathBuf,
    acks_path: PathBuf,
    state: Mutex<State>,
}

struct State {
    file: File,
    len: u64,
    acks: File,
    acks_len: u64,
    next_seq: u64,
    /// Unacknowledged entries by `seq`: the backlog the application has not processed.
    pending: BTreeMap<u64, Entry>,
    /// Set when an `fsync` failed, or undoing a failed write did: what is on disk is
    /// unknown until the journal is opened again.
    broken: bool,
}

/// The acknowledgements file of a journal: its path with `.acks` added.
fn acks_path(journal: &Path) -> PathBuf {
    let mut name = journal.as_os_str().to_owned();
    name.push(".acks");
    PathBuf::from(name)
}

fn damaged(path: &Path, line: usize, en: impl fmt::Display, ru: impl fmt::Display) -> Error {
    let shown = path.display();
    Error::invalid_argument(
        format!("the callback journal «{shown}» is damaged at line {line}: {en}; repair or move the file away"),
        format!("журнал обратных вызовов «{shown}» повреждён в строке {line}: {ru}; исправьте файл или уберите его"),
    )
}

/// Opens (creating if missing) a file for reading and appending; syncs the directory when
/// the file is new so its name survives a crash as well as its content.
fn open_append(path: &Path) -> Result<File> {
    let existed = path.exists();
    let file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| Error::file(("open", "открыть"), path.display(), &e))?;
    if !existed {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        sync_dir(dir).map_err(|e| Error::file(("sync the directory of", "синхронизировать каталог"), path.display(), &e))?;
    }
    Ok(file)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(()) // a directory cannot be opened as a file there; NTFS journals the name itself
}

#[cfg(unix)]
fn lock_exclusive(file: &File, path: &Path) -> Result<()> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock on a descriptor borrowed for the call; no memory is involved.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(());
    }
    let e = io::Error::last_os_error();
    if e.kind() == io::ErrorKind::WouldBlock {
        let shown = path.display();
        return Err(Error::invalid_argument(
            format!("the callback journal «{shown}» is in use by another receiver"),
            format!("журнал обратных вызовов «{shown}» занят другим приёмником"),
        ));
    }
    Err(Error::file(("lock", "заблокировать"), path.display(), &e))
}

#[cfg(not(unix))]
fn lock_exclusive(_file: &File, _path: &Path) -> Result<()> {
    Ok(())
}

/// Reads a JSON Lines file from the start, handing each complete line (without `\n`) and
/// its number to `each`; cuts off a torn last line. Returns the file's length afterwards.
fn read_lines(file: &mut File, path: &Path, mut each: impl FnMut(usize, &str) -> Result<()>) -> Result<u64> {
    let read_failed = |e: io::Error| Error::file(("read", "прочитать"), path.display(), &e);
    file.seek(SeekFrom::Start(0)).map_err(read_failed)?;
    let mut reader = BufReader::new(&*file);
    let (mut good, mut number, mut line) = (0u64, 0usize, Vec::new());
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(read_failed)?;
        if n == 0 {
            return Ok(good);
        }
        number += 1;
        if line.last() != Some(&b'\n') {
            tracing::warn!(file = %path.display(), line = number, bytes = n, "cutting off a torn last line: its write was never confirmed");
            drop(reader);
            file.set_len(good).and_then(|()| file.sync_data()).map_err(|e| Error::file(("repair", "восстановить"), path.display(), &e))?;
            return Ok(good);
        }
        let text = std::str::from_utf8(&line[..n - 1]).map_err(|e| damaged(path, number, format_args!("not UTF-8: {e}"), format_args!("не UTF-8: {e}")))?;
        each(number, text)?;
        good += n as u64;
    }
}

/// Reads one journal line (see the module docs); the error in English and Russian.
fn parse_entry(line: &str) -> Result<Entry, (String, String)> {
    #[derive(serde::Deserialize)]
    struct Head {
        seq: u64,
        received_at: String,
        kind: String,
        sha256: String,
        #[allow(dead_code)] // read only to check that the line is whole JSON with a body
        body: serde::de::IgnoredAny,
    }
    let head: Head = serde_json::from_str(line).map_err(|e| {
        let en = e.to_string();
        (format!("not a journal entry: {en}"), format!("это не запись журнала: {}", russian::serde_message(&en)))
    })?;
    const BODY: &str = ",\"body\":";
    let body = match (line.find(BODY), line.strip_suffix('}')) {
        (Some(at), Some(whole)) if at + BODY.len() <= whole.len() => &whole[at + BODY.len()..],
        _ => return Err(("\"body\" is not the last member".into(), "«body» — не последний член объекта".into())),
    };
    let kind = CallbackKind::parse(&head.kind)
        .ok_or_else(|| (format!("unknown kind {:?} (order, license_session)", head.kind), format!("неизвестный вид {:?} (order, license_session)", head.kind)))?;
    let received_at = DateTime::parse_from_rfc3339(&head.received_at)
        .map_err(|e| (format!("received_at {:?} is not RFC 3339: {e}", head.received_at), format!("received_at {:?} — не дата RFC 3339: {e}", head.received_at)))?
        .with_timezone(&Utc);
    if sha256_hex(body) != head.sha256 {
        return Err(("its sha256 does not match its body".into(), "sha256 не совпадает с телом".into()));
    }
    Ok(Entry { seq: head.seq, received_at, kind, sha256: head.sha256, body: body.to_owned() })
}

impl Journal {
    /// Opens the journal at `path` and its acknowledgements beside it (creating both when
    /// missing), takes the lock, cuts torn tails and loads the pending entries.
    ///
    /// Errors ([`Error::InvalidArgument`], the file named): a file that cannot be opened,
    /// created, read or locked; a journal in use by another receiver; a damaged line.
    pub(crate) fn open(path: &Path) -> Result<Journal> {
        let acks_path = acks_path(path);
        let mut file = open_append(path)?;
        lock_exclusive(&file, path)?;
        let mut acks = open_append(&acks_path)?;

        let mut acked = Acked::default();
        let acks_len = read_lines(&mut acks, &acks_path, |number, line| {
            #[derive(serde::Deserialize)]
            struct Ack {
                seq: u64,
            }
            let ack: Ack = serde_json::from_str(line).map_err(|e| {
                let en = e.to_string();
                damaged(&acks_path, number, format_args!("not an acknowledgement: {en}"), format_args!("это не подтверждение: {}", russian::serde_message(&en)))
            })?;
            acked.insert(ack.seq);
            Ok(())
        })?;

        let (mut last_seq, mut pending) = (0u64, BTreeMap::new());
        let len = read_lines(&mut file, path, |number, line| {
            let entry = parse_entry(line).map_err(|(en, ru)| damaged(path, number, en, ru))?;
            if entry.seq <= last_seq {
                return Err(damaged(path, number, format_args!("seq {} does not follow {last_seq}", entry.seq), format_args!("seq {} не следует за {last_seq}", entry.seq)));
            }
            last_seq = entry.seq;
            if !acked.contains(entry.seq) {
                pending.insert(entry.seq, entry);
            }
            Ok(())
        })?;
        if acked.max() > last_seq {
            let (shown, seq) = (acks_path.display(), acked.max());
            return Err(Error::invalid_argument(
                format!("«{shown}» acknowledges entry {seq}, which the journal does not have (it ends at {last_seq}): the files do not belong together"),
                format!("«{shown}» подтверждает запись {seq}, которой нет в журнале (он кончается на {last_seq}): файлы не от одного журнала"),
            ));
        }
        Ok(Journal {
            path: path.to_owned(),
            acks_path,
            state: Mutex::new(State { file, len, acks, acks_len, next_seq: last_seq + 1, pending, broken: false }),
        })
    }

    /// The journal file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-made change: each change is
        // committed by the last statements of its method, after everything that can fail.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes `body` (one-line JSON from [`compact_json`]) as the next entry and syncs it to
    /// disk; only then is the entry pending and returned. Blocks for the `fsync`.
    pub(crate) fn append(&self, kind: CallbackKind, body: String) -> io::Result<Entry> {
        debug_assert!(!body.contains('\n'), "compact_json leaves no line break");
        let mut state = self.state();
        if state.broken {
            return Err(io::Error::other("an earlier write of the journal could not be undone or synced; open it again"));
        }
        let entry = Entry { seq: state.next_seq, received_at: Utc::now(), kind, sha256: sha256_hex(&body), body };
        let mut line = entry.to_json_line();
        line.push('\n');
        if let Err(e) = state.file.write_all(line.as_bytes()) {
            let len = state.len;
            if state.file.set_len(len).is_err() {
                state.broken = true;
            }
            return Err(e);
        }
        if let Err(e) = state.file.sync_data() {
            state.broken = true;
            return Err(e);
        }
        state.len += line.len() as u64;
        state.next_seq += 1;
        state.pending.insert(entry.seq, entry.clone());
        Ok(entry)
    }

    /// Records that `entry` was processed: appends its `seq` to the acknowledgements and
    /// syncs them. Acknowledging twice does nothing the second time.
    ///
    /// Errors ([`Error::InvalidArgument`]): an entry this journal does not have (its `seq`
    /// is beyond the end, or the pending entry of that `seq` has another hash: an entry of
    /// another journal); the acknowledgements file cannot be written.
    pub(crate) fn ack(&self, entry: &Entry) -> Result<()> {
        let seq = entry.seq;
        let mut state = self.state();
        if seq == 0 || seq >= state.next_seq {
            let last = state.next_seq - 1;
            return Err(Error::invalid_argument(
                format!("the callback journal has no entry {seq} (its entries are 1..={last})"),
                format!("в журнале обратных вызовов нет записи {seq} (его записи — 1..={last})"),
            ));
        }
        match state.pending.get(&seq) {
            None => return Ok(()),
            Some(pending) if pending.sha256 != entry.sha256 => {
                return Err(Error::invalid_argument(
                    format!("entry {seq} is not the one of this callback journal (another body hash): was it read from another journal?"),
                    format!("запись {seq} не совпадает с записью этого журнала обратных вызовов (другой хеш тела): не из другого ли она журнала?"),
                ))
            }
            Some(_) => {}
        }
        let line = format!("{{\"seq\":{seq},\"acked_at\":\"{}\"}}\n", Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true));
        let written = state.acks.write_all(line.as_bytes()).and_then(|()| state.acks.sync_data());
        if let Err(e) = written {
            // Undone so a retried ack starts on a clean line; if the sync failed after the
            // write, the entry may come back as pending after a restart (at least once).
            let len = state.acks_len;
            let _ = state.acks.set_len(len);
            return Err(Error::file(("write", "записать"), self.acks_path.display(), &e));
        }
        state.acks_len += line.len() as u64;
        state.pending.remove(&seq);
        Ok(())
    }

    /// Every unacknowledged entry, oldest first.
    pub(crate) fn pending(&self) -> Vec<Entry> {
        self.state().pending.values().cloned().collect()
    }

    /// The oldest unacknowledged entry after `seq`.
    pub(crate) fn pending_after(&self, seq: u64) -> Option<Entry> {
        self.state().pending.range(seq + 1..).next().map(|(_, e)| e.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacting_keeps_every_token_and_drops_only_the_space_between() {
        let raw = "{ \"items\" : [ {\"amountToPay\": 679.570, \"note\": \"a \\\" b\\n  c\", \"ids\" : [ 1 , \"2\" ] } ] }\r\n";
        assert_eq!(compact_json(raw.as_bytes()).unwrap(), r#"{"items":[{"amountToPay":679.570,"note":"a \" b\n  c","ids":[1,"2"]}]}"#);
        assert_eq!(compact_json(br#" "\\" "#).unwrap(), r#""\\""#, "an escaped backslash does not escape the quote after it");
    }

    #[test]
    fn a_body_that_is_not_json_is_refused_with_both_texts() {
        for bad in [&b""[..], b"{", b"{\"a\":1} x", b"\xff\xfe{}", b"nul"] {
            let e = compact_json(bad).unwrap_err();
            assert!(e.message.starts_with("the body is not"), "{bad:?}: {}", e.message);
            assert!(e.message_ru.starts_with("тело запроса"), "{bad:?}: {}", e.message_ru);
        }
    }

    #[test]
    fn a_line_reads_back_as_the_entry_it_was_written_from() {
        let body = compact_json(br#"{"sessionId": 1, "deviceId": "3ebf391b3c596bc8"}"#).unwrap();
        let received_at = DateTime::parse_from_rfc3339("2026-11-29T11:45:11.123456Z").unwrap().with_timezone(&Utc);
        let entry = Entry { seq: 7, received_at, kind: CallbackKind::LicenseSession, sha256: sha256_hex(&body), body };
        let line = entry.to_json_line();
        assert_eq!(parse_entry(&line).unwrap(), entry);
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["body"]["deviceId"], "3ebf391b3c596bc8", "a plain JSON reader sees the body as JSON");
        assert_eq!(value["kind"], "license_session");
        assert_eq!(value["received_at"], "2026-11-29T11:45:11.123456Z");
    }

    #[test]
    fn a_line_whose_body_was_altered_or_moved_is_damaged() {
        let body = r#"{"items":[]}"#.to_owned();
        let entry = Entry { seq: 1, received_at: Utc::now(), kind: CallbackKind::Order, sha256: sha256_hex(&body), body };
        let line = entry.to_json_line().replace("[]", "[1]");
        assert!(parse_entry(&line).unwrap_err().0.contains("sha256"));
        let reordered = r#"{"body":{},"seq":1,"received_at":"2026-01-01T00:00:00Z","kind":"order","sha256":"x"}"#;
        assert!(parse_entry(reordered).unwrap_err().0.contains("last member"));
    }

    #[test]
    fn acknowledgements_out_of_order_collapse_into_a_watermark() {
        let mut acked = Acked::default();
        for seq in [3, 1, 5] {
            acked.insert(seq);
        }
        assert!(acked.contains(1) && !acked.contains(2) && acked.contains(3) && !acked.contains(4));
        assert_eq!((acked.through, acked.max()), (1, 5));
        acked.insert(2);
        acked.insert(4);
        assert_eq!((acked.through, acked.above.len()), (5, 0));
    }
}
