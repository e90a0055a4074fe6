//! `logibridge pricelist convert`: one pass over a supplier price list into JSON Lines,
//! UTF-8 CSV (the core's [`Writer`]) or Parquet (the core's Arrow batches), with a progress
//! bar by bytes read and a report of the bad rows.

use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressStyle};
use logibridge::pricelist::{BadRow, Encoding, OnError, Options, Reader, Row, Summary, Writer};

use crate::args::{ConvertArgs, ConvertTo};
use crate::fail::{russian, Failure};

/// Bad rows listed on stderr; `--bad-rows FILE` has them all.
const SHOWN_BAD_ROWS: usize = 20;

/// The input, counting the bytes read for the progress bar and keeping the first read
/// error: the core reports a failed read as a transport error (its reader also reads
/// downloads), but this input is a local file (exit 1, named).
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
    failed: Arc<Mutex<Option<std::io::Error>>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.read.fetch_add(n as u64, Ordering::Relaxed);
                Ok(n)
            }
            Err(e) => {
                if e.kind() != std::io::ErrorKind::Interrupted {
                    let mut failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
                    failed.get_or_insert_with(|| std::io::Error::new(e.kind(), e.to_string()));
                }
                Err(e)
            }
        }
    }
}

/// Whether `out` names the file `input` is (the same path, or the same file by another
/// name: a link), so converting would destroy the input while reading it.
fn same_file(input: &Path, out: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(input), std::fs::metadata(out)) {
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
    }
    let canon = |p: &Path| -> Option<PathBuf> {
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Some(std::fs::canonicalize(parent).ok()?.join(p.file_name()?))
    };
    matches!((canon(input), canon(out)), (Some(a), Some(b)) if a == b)
}

/// Where the output goes. A regular file (or a path not there yet) gets a temporary file
/// beside it, renamed over it once complete, so a failed conversion leaves no half file and
/// the old file's mode is kept; through a symbolic link the file it points to is replaced,
/// and the link stays. A FIFO or a device (`/dev/stdout`) cannot be replaced, only written
/// to: a rename would take its name from whoever reads it (as root, even `/dev/null`'s).
/// A directory is refused before anything is read.
enum Sink {
    Replace { tmp: PathBuf, out: PathBuf, file: File },
    Through { out: PathBuf, file: File },
    Stdout,
}

impl Sink {
    fn open(out: Option<&Path>) -> Result<Sink, Failure> {
        let Some(out) = out.filter(|p| p.as_os_str() != "-") else { return Ok(Sink::Stdout) };
        let (target, mode) = match std::fs::metadata(out) {
            Ok(meta) if meta.is_dir() => {
                return Err(Failure::local(
                    format!("--out {} is a directory; name a file (e.g. {}/prices.jsonl)", out.display(), out.display()),
                    format!("--out {} — это каталог; укажите файл (например, {}/prices.jsonl)", out.display(), out.display()),
                ))
            }
            Ok(meta) if meta.is_file() => (std::fs::canonicalize(out).map_err(|e| Failure::file(("open", "открыть"), out, &e))?, Some(meta.permissions())),
            Ok(_) => {
                let file = std::fs::OpenOptions::new().write(true).open(out).map_err(|e| Failure::file(("open", "открыть"), out, &e))?;
                return Ok(Sink::Through { out: out.to_owned(), file });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && std::fs::symlink_metadata(out).is_ok() => {
                return Err(Failure::local(
                    format!("--out {} is a symbolic link to a file that does not exist; name the file itself", out.display()),
                    format!("--out {} — символическая ссылка на несуществующий файл; укажите сам файл", out.display()),
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (out.to_owned(), None),
            Err(e) => return Err(Failure::file(("open", "открыть"), out, &e)),
        };
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = target.with_file_name(format!(".{name}.{}.partial", std::process::id()));
        let file = File::create(&tmp).map_err(|e| Failure::file(("create", "создать"), &target, &e))?;
        if let Some(mode) = mode {
            if let Err(e) = file.set_permissions(mode) {
                let _ = std::fs::remove_file(&tmp);
                return Err(Failure::file(("create", "создать"), &target, &e));
            }
        }
        Ok(Sink::Replace { tmp, out: target, file })
    }

    fn writer(&self) -> Result<Box<dyn Write + Send>, Failure> {
        match self {
            Sink::Replace { file, tmp, .. } => Ok(Box::new(file.try_clone().map_err(|e| Failure::file(("write", "записать"), tmp, &e))?)),
            Sink::Through { file, out } => Ok(Box::new(file.try_clone().map_err(|e| Failure::file(("write", "записать"), out, &e))?)),
            Sink::Stdout => Ok(Box::new(std::io::stdout())),
        }
    }

    fn commit(self) -> Result<(), Failure> {
        if let Sink::Replace { tmp, out, file } = self {
            let done = file.sync_all().and_then(|_| std::fs::rename(&tmp, &out));
            if let Err(e) = done {
                let _ = std::fs::remove_file(&tmp);
                return Err(Failure::file(("write", "записать"), &out, &e));
            }
        }
        Ok(())
    }

    fn abandon(self) {
        if let Sink::Replace { tmp, .. } = self {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

fn write_failure(e: std::io::Error) -> Failure {
    Failure::local(format!("cannot write the converted price list: {e}"), format!("не удалось записать преобразованный прайс-лист: {e}"))
}

pub fn convert(a: ConvertArgs) -> Result<(), Failure> {
    let mut options = Options::new().on_error(if a.strict { OnError::Stop } else { OnError::Collect });
    if let Some(label) = &a.encoding {
        let encoding = Encoding::from_label(label).ok_or_else(|| {
            Failure::usage(format!("--encoding {label:?}: not an encoding label (cp1251, utf-8, koi8-r, …)"), format!("--encoding «{label}»: неизвестная кодировка (cp1251, utf-8, koi8-r, …)"))
        })?;
        options = options.encoding(encoding);
    }
    if let Some(d) = a.delimiter {
        let byte = u8::try_from(d).ok().filter(u8::is_ascii).ok_or_else(|| Failure::usage(format!("--delimiter {d:?}: must be one ASCII character"), format!("--delimiter «{d}»: должен быть одним символом ASCII")))?;
        options = options.delimiter(byte);
    }
    let out = a.out.as_deref().filter(|p| p.as_os_str() != "-");
    if let Some(out) = out {
        if same_file(&a.input, out) {
            return Err(Failure::usage(
                format!("--out {} is the input file: converting would overwrite what is being read; name another file", out.display()),
                format!("--out {} — это входной файл: преобразование затёрло бы его при чтении; укажите другой файл", out.display()),
            ));
        }
    } else if a.to == ConvertTo::Parquet {
        return Err(Failure::usage("--to parquet writes a binary file: give --out FILE", "--to parquet записывает двоичный файл: укажите --out ФАЙЛ"));
    }
    if let Some(report) = a.bad_rows.as_deref() {
        if same_file(&a.input, report) || out.is_some_and(|out| same_file(out, report) || out == report) {
            return Err(Failure::usage(
                format!("--bad-rows {} is the input or the output file: the report would overwrite it; name another file", report.display()),
                format!("--bad-rows {} — это входной или выходной файл: отчёт затёр бы его; укажите другой файл", report.display()),
            ));
        }
    }
    if std::fs::metadata(&a.input).is_ok_and(|m| m.is_dir()) {
        return Err(Failure::local(
            format!("{} is a directory, not a price list; name the file", a.input.display()),
            format!("{} — это каталог, а не прайс-лист; укажите файл", a.input.display()),
        ));
    }
    let file = File::open(&a.input).map_err(|e| Failure::file(("open", "открыть"), &a.input, &e))?;
    // A FIFO or a device has no length: the bar then counts bytes without a total or ETA.
    let total = file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
    let read = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(Mutex::new(None));
    let source = Counting { inner: file, read: read.clone(), failed: failed.clone() };

    // Drawn only for a person watching: stderr and stdout on a terminal, the output in a file.
    let shown = !a.no_progress && out.is_some() && std::io::stderr().is_terminal() && std::io::stdout().is_terminal();
    let bar = match (shown, total) {
        (false, _) => ProgressBar::hidden(),
        (true, Some(total)) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}").unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        (true, None) => ProgressBar::no_length()
            .with_style(ProgressStyle::with_template("{spinner} {bytes} {bytes_per_sec}").unwrap_or_else(|_| ProgressStyle::default_spinner())),
    };

    let sink = Sink::open(out)?;
    let result = match a.to {
        ConvertTo::Jsonl | ConvertTo::Csv => rows(source, options, a.to, &sink, &bar, &read),
        ConvertTo::Parquet => parquet(source, options, &sink, &bar, &read),
    };
    bar.finish_and_clear();
    let (summary, bad) = match result {
        Ok(Some(done)) => {
            sink.commit()?;
            done
        }
        // Stdout's reader stopped (`| head`): it has what it wanted; quiet, exit 0.
        Ok(None) => return Ok(()),
        Err(f) => {
            sink.abandon();
            if let Some(e) = failed.lock().unwrap_or_else(|p| p.into_inner()).take() {
                return Err(Failure::file(("read", "прочитать"), &a.input, &e));
            }
            return Err(f);
        }
    };
    report(&summary, &bad, out, a.bad_rows.as_deref())
}

/// What a conversion ends with: the counts and the bad rows, or `None` when stdout's
/// reader closed the pipe early.
type Converted = Option<(Summary, Vec<BadRow>)>;

/// JSON Lines or CSV through the core's row reader and [`Writer`].
fn rows(source: impl Read, options: Options, to: ConvertTo, sink: &Sink, bar: &ProgressBar, read: &AtomicU64) -> Result<Converted, Failure> {
    let closed_pipe = |e: &std::io::Error| e.kind() == std::io::ErrorKind::BrokenPipe && matches!(sink, Sink::Stdout);
    let mut reader = Reader::from_reader(source, options)?;
    let mut writer = match to {
        ConvertTo::Csv => Writer::csv(sink.writer()?, reader.extra_columns()),
        _ => Writer::jsonl(sink.writer()?),
    };
    let mut row = Row::default();
    let mut n: u64 = 0;
    while reader.read_into(&mut row)? {
        match writer.write(&row) {
            Err(e) if closed_pipe(&e) => return Ok(None),
            other => other.map_err(write_failure)?,
        }
        n += 1;
        if n % 4096 == 0 {
            bar.set_position(read.load(Ordering::Relaxed));
        }
    }
    match writer.finish() {
        Err(e) if closed_pipe(&e) => return Ok(None),
        other => other.map_err(write_failure)?,
    };
    Ok(Some((reader.summary(), reader.take_bad_rows())))
}

/// Parquet from the core's Arrow batches (Snappy pages), one row group per ~1 M rows.
#[cfg(feature = "parquet")]
fn parquet(source: impl Read + Send + 'static, options: Options, sink: &Sink, bar: &ProgressBar, read: &AtomicU64) -> Result<Converted, Failure> {
    use logibridge::pricelist::arrow::{core_error, ArrowOptions, Batches};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;

    let mut batches = Batches::new(source, options, ArrowOptions::new())?;
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let parquet_failure = |e: parquet::errors::ParquetError| Failure::local(format!("cannot write the Parquet file: {e}"), format!("не удалось записать файл Parquet: {e}"));
    let mut writer = ArrowWriter::try_new(sink.writer()?, batches.schema_ref().clone(), Some(props)).map_err(parquet_failure)?;
    for batch in batches.by_ref() {
        let batch = batch.map_err(|e| match core_error(&e) {
            Some(core) => Failure::of_core(core),
            None => Failure::local(format!("cannot read the price list: {e}"), format!("не удалось прочитать прайс-лист: {e}")),
        })?;
        writer.write(&batch).map_err(parquet_failure)?;
        bar.set_position(read.load(Ordering::Relaxed));
    }
    writer.close().map_err(parquet_failure)?;
    let outcome = batches.outcome().cloned().unwrap_or_default();
    Ok(Some((outcome.summary, outcome.bad_rows)))
}

#[cfg(not(feature = "parquet"))]
fn parquet(_: impl Read + Send + 'static, _: Options, _: &Sink, _: &ProgressBar, _: &AtomicU64) -> Result<Converted, Failure> {
    Err(Failure::usage(
        "this logibridge was built without Parquet (the command of the Python wheel leaves it out): in Python, pyarrow.parquet.write_table(logibridge.pricelist.to_arrow(\"IN.csv\"), \"OUT.parquet\") writes it; or build the command with it: cargo install --path cli",
        "этот logibridge собран без Parquet (команда из пакета Python его не включает): в Python файл запишет pyarrow.parquet.write_table(logibridge.pricelist.to_arrow(\"IN.csv\"), \"OUT.parquet\"); или соберите команду с ним: cargo install --path cli",
    ))
}

/// The counts and the bad rows on stderr (in the user's language), all of them as JSON
/// Lines in `bad_rows_file` when given.
fn report(summary: &Summary, bad: &[BadRow], out: Option<&Path>, bad_rows_file: Option<&Path>) -> Result<(), Failure> {
    if let Some(path) = bad_rows_file {
        let mut text = String::new();
        for b in bad {
            text.push_str(&serde_json::to_string(b).map_err(|e| Failure::local(e.to_string(), e.to_string()))?);
            text.push('\n');
        }
        std::fs::write(path, text).map_err(|e| Failure::file(("write", "записать"), path, &e))?;
    }
    let ru = russian();
    let target = out.map(|p| p.display().to_string()).unwrap_or_else(|| "stdout".into());
    if ru {
        say!("записано строк: {} в {target}; плохих строк: {}; прочитано байт: {}", summary.rows_ok, summary.rows_bad, summary.bytes);
    } else {
        say!("{} rows written to {target}; {} bad rows; {} bytes read", summary.rows_ok, summary.rows_bad, summary.bytes);
    }
    for b in bad.iter().take(SHOWN_BAD_ROWS) {
        match (&b.column, ru) {
            (Some(c), true) => say!("  строка {}, колонка «{c}»: {}", b.line, b.reason_ru),
            (None, true) => say!("  строка {}: {}", b.line, b.reason_ru),
            (Some(c), false) => say!("  line {}, column {c}: {}", b.line, b.reason),
            (None, false) => say!("  line {}: {}", b.line, b.reason),
        }
    }
    let more = summary.rows_bad.saturating_sub(SHOWN_BAD_ROWS.min(bad.len()) as u64);
    if more > 0 {
        if ru {
            say!("  … и ещё {more} (все — в файле --bad-rows)");
        } else {
            say!("  … and {more} more (--bad-rows FILE writes them all)");
        }
    }
    Ok(())
}
