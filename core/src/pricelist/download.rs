//! Reading a price list while it downloads.
//!
//! The HTTP body is received on the library's runtime and handed over in chunks through a
//! bounded channel (at most 32 chunks in flight), so the file is never held in memory and a
//! slow reader slows the download down instead of piling it up.

use std::io::{self, Read};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use super::{Encoding, Options, Reader, DOWNLOAD_ENDPOINT};
use crate::endpoints::carreta::PRICELIST_DOWNLOAD;
use crate::error::{redact_url, Error, Result};
use crate::transport::{Config, NoAuth, Request, Transport};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const READ_TIMEOUT: Duration = Duration::from_secs(120);
const CHUNKS_IN_FLIGHT: usize = 32;

/// What the server said before the body.
struct Head {
    total: Option<u64>,
    charset: Option<&'static encoding_rs::Encoding>,
}

/// The body of a download as a blocking [`Read`], reporting progress as it is read.
///
/// Made by [`download_stream`]; [`download`] wraps it in a [`Reader`].
pub struct Download {
    rx: tokio::sync::mpsc::Receiver<Result<Bytes>>,
    current: Bytes,
    done: u64,
    total: Option<u64>,
    charset: Option<&'static encoding_rs::Encoding>,
    finished: bool,
    progress: Box<dyn FnMut(u64, Option<u64>) + Send>,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download").field("done", &self.done).field("total", &self.total).finish_non_exhaustive()
    }
}

impl Download {
    /// Bytes received and read so far.
    pub fn bytes_done(&self) -> u64 {
        self.done
    }

    /// The size the server announced (`Content-Length`), if it did.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// The encoding named by the `charset` of the server's `Content-Type`, if any.
    pub fn charset(&self) -> Option<&'static encoding_rs::Encoding> {
        self.charset
    }
}

impl Read for Download {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            if self.finished || out.is_empty() {
                return Ok(0);
            }
            if !crate::blocking::may_block() {
                return Err(io::Error::other(Error::invalid_argument(
                    "a price-list download was read from inside an async runtime; read it from a plain thread (e.g. spawn_blocking)",
                    "загрузку прайс-листа читают изнутри асинхронного окружения; читайте её из обычного потока (например, через spawn_blocking)",
                )));
            }
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => {
                    self.finished = true;
                    return Err(io::Error::other(e));
                }
                None => {
                    self.finished = true;
                    if let Some(total) = self.total {
                        if self.done < total {
                            return Err(io::Error::other(Error::transport(DOWNLOAD_ENDPOINT, format!("the download ended after {} of {total} bytes", self.done), format!("загрузка оборвалась после {} из {total} байт", self.done))));
                        }
                    }
                    return Ok(0);
                }
            }
        }
        let n = out.len().min(self.current.len());
        out[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        self.done += n as u64;
        (self.progress)(self.done, self.total);
        Ok(n)
    }
}

/// The one transport every download goes through (shared connection pool): no
/// credentials (a download link carries its own), 30 s to connect, 120 s of silence at most
/// while the body streams, idempotent retries of the request itself.
fn transport() -> Result<&'static Transport> {
    // One per process: after fork() the parent's pool belongs to the parent's runtime.
    static TRANSPORT: crate::blocking::PerProcess<Transport> = crate::blocking::PerProcess::new();
    if let Some(t) = TRANSPORT.get() {
        return Ok(t);
    }
    let mut config = Config::new("http://localhost/")?;
    config.connect_timeout = CONNECT_TIMEOUT;
    config.timeout = crate::MAX_TIMEOUT;
    config.read_timeout = Some(READ_TIMEOUT);
    let t = Transport::new(config, Arc::new(NoAuth))?;
    Ok(TRANSPORT.get_or_init(|| t))
}

/// A broken body stream, without the URL (which may hold a key).
fn body_error(e: reqwest::Error) -> Error {
    crate::transport::map_reqwest_error(DOWNLOAD_ENDPOINT, e, READ_TIMEOUT)
}

fn charset_of(content_type: Option<&str>) -> Option<&'static encoding_rs::Encoding> {
    let ct = content_type?;
    let (_, rest) = ct.split_once("charset=")?;
    let label = rest.split(';').next()?.trim().trim_matches('"');
    encoding_rs::Encoding::for_label_no_replacement(label.as_bytes())
}

/// Starts downloading `url` and returns its body as a blocking [`Read`] once the server
/// has answered with a success status.
///
/// `progress(bytes_done, total)` is called on the reading thread each time bytes are read,
/// first with `0`; `total` is the `Content-Length` when the server sent one. Errors: a bad
/// URL is [`Error::InvalidArgument`], a refused or broken connection [`Error::Transport`],
/// a timeout [`Error::Timeout`], a non-success status [`Error::Http`] (401 is
/// [`Error::Auth`]). Secrets in the URL's query never appear in an error.
///
/// Call it from a plain thread, not from inside an async runtime.
pub fn download_stream(url: &str, mut progress: impl FnMut(u64, Option<u64>) + Send + 'static) -> Result<Download> {
    let parsed = url::Url::parse(url).map_err(|e| Error::invalid_argument(format!("bad price-list URL: {e}"), format!("неверный адрес прайс-листа: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::invalid_argument(format!("the price-list URL must be http or https, got {}", redact_url(&parsed)), format!("адрес прайс-листа должен начинаться с http или https, передано {}", redact_url(&parsed))));
    }
    if !crate::blocking::may_block() {
        return Err(Error::invalid_argument(
            "pricelist::download was called from inside an async runtime; call it from a plain thread (e.g. spawn_blocking)",
            "загрузку прайс-листа вызвали изнутри асинхронного окружения; вызывайте её из обычного потока (например, через spawn_blocking)",
        ));
    }
    let transport = transport()?;
    let mut request = Request::new(PRICELIST_DOWNLOAD);
    request.absolute_url = Some(parsed);

    let (head_tx, head_rx) = std::sync::mpsc::sync_channel::<Result<Head>>(1);
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes>>(CHUNKS_IN_FLIGHT);
    crate::blocking::runtime().spawn(async move {
        let mut response = match transport.open(request).await {
            Ok(r) => r,
            Err(e) => {
                let _ = head_tx.send(Err(e));
                return;
            }
        };
        let content_type = response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        let head = Head { total: response.content_length(), charset: charset_of(content_type) };
        if head_tx.send(Ok(head)).is_err() {
            return;
        }
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if tx.send(Ok(chunk)).await.is_err() {
                        return; // the reader was dropped
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    let _ = tx.send(Err(body_error(e))).await;
                    return;
                }
            }
        }
    });
    let head = head_rx
        .recv()
        .map_err(|_| Error::Internal("the download task ended without an answer".into()))??;
    progress(0, head.total);
    Ok(Download { rx, current: Bytes::new(), done: 0, total: head.total, charset: head.charset, finished: false, progress: Box::new(progress) })
}

/// Downloads a price list and reads it while it arrives: the returned [`Reader`] pulls the
/// body through a bounded channel, so memory stays flat whatever the size.
///
/// With [`Encoding::Auto`], a `charset` in the server's `Content-Type` decides the
/// encoding. See [`download_stream`] for `progress` and the errors.
///
/// ```no_run
/// use logibridge::pricelist::{download, OnError, Options};
/// let mut reader = download(
///     "https://example.invalid/price.csv",
///     Options::new().on_error(OnError::Collect),
///     |done, total| eprintln!("{done} of {total:?} bytes"),
/// )?;
/// let rows = reader.by_ref().filter_map(Result::ok).count();
/// println!("{rows} rows, {} bad", reader.summary().rows_bad);
/// # Ok::<(), logibridge::Error>(())
/// ```
pub fn download(url: &str, options: Options, progress: impl FnMut(u64, Option<u64>) + Send + 'static) -> Result<Reader<Download>> {
    let stream = download_stream(url, progress)?;
    let options = match (options.get_encoding(), stream.charset()) {
        (Encoding::Auto, Some(charset)) => options.encoding(Encoding::from_encoding_rs(charset)),
        _ => options,
    };
    let background = options.background;
    let reader = Reader::from_reader(stream, options)?;
    Ok(if background { reader.in_background() } else { reader })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_from_content_type() {
        assert_eq!(charset_of(Some("text/csv; charset=windows-1251")), Some(encoding_rs::WINDOWS_1251));
        assert_eq!(charset_of(Some("text/csv;charset=\"utf-8\"")), Some(encoding_rs::UTF_8));
        assert_eq!(charset_of(Some("text/csv")), None);
        assert_eq!(charset_of(None), None);
    }
}
