//! `logibridge webhook serve` and `webhook tail`: the core's durable iRECA callback
//! receiver ([`CallbackReceiver`]) on a journal in a directory.

use std::io::Write;
use std::path::{Path, PathBuf};

use logibridge::ireca::receiver::CallbackReceiver;
use serde_json::Value;

use crate::args::{Global, OutputFormat, WebhookCommand};
use crate::fail::{russian, Failure};
use crate::output;

/// The journal's file in its directory (its acknowledgements go beside it, `.acks` added).
pub const JOURNAL_FILE: &str = "callbacks.jsonl";

/// The journal of an existing directory (`webhook tail`).
fn journal_in(dir: &Path) -> Result<PathBuf, Failure> {
    if !dir.is_dir() {
        return Err(Failure::local(format!("{} is not a directory with a callback journal", dir.display()), format!("{} — не каталог с журналом обратных вызовов", dir.display())));
    }
    Ok(dir.join(JOURNAL_FILE))
}

/// The journal's directory for `webhook serve`, and what of it this run made: the
/// callbacks hold customers' names, addresses and phones, so a new directory is the
/// owner's only (700) and new journal files are made 600 ([`Made::keep`]); a run refused
/// at start takes away what it made ([`Made::undo`]).
struct Made {
    dir: Option<PathBuf>,
    files: Vec<PathBuf>,
}

impl Made {
    fn prepare(dir: &Path) -> Result<(PathBuf, Made), Failure> {
        let new_dir = !dir.exists();
        if new_dir {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir).map_err(|e| Failure::file(("create", "создать"), dir, &e))?;
        } else if !dir.is_dir() {
            return Err(Failure::local(format!("--journal {} is not a directory", dir.display()), format!("--journal {} — не каталог", dir.display())));
        }
        let journal = dir.join(JOURNAL_FILE);
        let files = [journal.clone(), dir.join(format!("{JOURNAL_FILE}.acks"))].into_iter().filter(|f| !f.exists()).collect();
        Ok((journal, Made { dir: new_dir.then(|| dir.to_owned()), files }))
    }

    fn keep(&self) -> Result<(), Failure> {
        #[cfg(unix)]
        for file in self.files.iter().filter(|f| f.exists()) {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).map_err(|e| Failure::file(("protect", "защитить"), file, &e))?;
        }
        Ok(())
    }

    fn undo(&self) {
        match &self.dir {
            Some(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            None => self.files.iter().for_each(|f| {
                let _ = std::fs::remove_file(f);
            }),
        }
    }
}

/// One entry as the output format wants it: the journal's own line for scripts (its body
/// byte for byte, numbers such as `679.570` included), a row for people. The row's body is
/// cut for a terminal only: written to a file or a pipe, it is the one copy of an entry
/// that `tail` acknowledges, so it stays whole.
fn print_entry(line: &str, format: OutputFormat) -> Result<(), Failure> {
    match format {
        OutputFormat::Table => {
            let v: Value = serde_json::from_str(line).unwrap_or(Value::Null);
            let body = v.get("body").map(|b| b.to_string()).unwrap_or_default();
            let body = if std::io::IsTerminal::is_terminal(&std::io::stdout()) { output::cut(&body, 100) } else { body };
            let text = format!("#{} {} {} {body}\n", v.get("seq").cloned().unwrap_or(Value::Null), v.get("received_at").and_then(Value::as_str).unwrap_or(""), v.get("kind").and_then(Value::as_str).unwrap_or(""));
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|_| out.flush()).map_err(|e| Failure::local(format!("cannot write to stdout: {e}"), format!("не удалось вывести: {e}")))
        }
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(format!("{line}\n").as_bytes()).and_then(|_| out.flush()).map_err(|e| Failure::local(format!("cannot write to stdout: {e}"), format!("не удалось вывести: {e}")))
        }
    }
}

pub fn run(g: &Global, c: WebhookCommand) -> Result<(), Failure> {
    match c {
        WebhookCommand::Serve { journal, port, host, path_secret, public_url, ack } => {
            let (path, made) = Made::prepare(&journal)?;
            let mut builder = CallbackReceiver::builder(&path).host(host).port(port);
            if let Some(s) = path_secret {
                builder = builder.path_secret(s);
            }
            if let Some(u) = public_url {
                builder = builder.public_base_url(u);
            }
            let receiver = match builder.start() {
                Ok(receiver) => receiver,
                Err(e) => {
                    made.undo();
                    return Err(e.into());
                }
            };
            made.keep()?;
            // The URLs hold the path secret: they are what the service must be given, so
            // they are printed (and nothing else of the secret, also with -v).
            let head = if russian() {
                format!("журнал {}\norder {}\nlicense {}\nобщий {}\n", path.display(), receiver.order_url(), receiver.license_url(), receiver.url())
            } else {
                format!("journal {}\norder {}\nlicense {}\nboth {}\n", path.display(), receiver.order_url(), receiver.license_url(), receiver.url())
            };
            {
                let mut out = std::io::stdout().lock();
                out.write_all(head.as_bytes()).and_then(|_| out.flush()).map_err(|e| Failure::local(format!("cannot write to stdout: {e}"), format!("не удалось вывести: {e}")))?;
            }
            let mut printing = true;
            let result: Result<(), Failure> = logibridge::blocking::runtime().block_on(async {
                let stop = crate::sandbox::signal();
                tokio::pin!(stop);
                loop {
                    tokio::select! {
                        _ = &mut stop => return Ok(()),
                        entry = receiver.next() => {
                            let Some(entry) = entry else { return Ok(()) };
                            // Output that stops (`| head`, a full disk) stops the printing,
                            // not the receiver: the service's callbacks keep being journaled,
                            // and what was not printed stays pending for `webhook tail`.
                            if !printing {
                                continue;
                            }
                            if let Err(f) = print_entry(&entry.to_json_line(), g.output) {
                                printing = false;
                                if russian() {
                                    say!("logibridge: {}; приём продолжается, обратные вызовы пишутся в журнал (webhook tail их покажет)", f.ru);
                                } else {
                                    say!("logibridge: {}; still receiving, callbacks go to the journal (webhook tail shows them)", f.en);
                                }
                                continue;
                            }
                            if ack {
                                receiver.ack(&entry)?;
                            }
                        }
                    }
                }
            });
            receiver.shutdown();
            result
        }
        WebhookCommand::Tail { dir, no_ack } => {
            let path = journal_in(&dir)?;
            // The journal is opened the one way the core offers, a receiver; it listens on
            // a loopback port under a random secret nobody is told, and stops at once. A
            // running `webhook serve` holds the journal's lock, and this is refused.
            // Every option here is this command's own, so a refusal is about the journal (in
            // use, unreadable): a local problem, exit 1.
            let receiver = CallbackReceiver::builder(&path).host("127.0.0.1").port(0).start().map_err(Failure::of_local)?;
            let pending = receiver.pending();
            for entry in &pending {
                print_entry(&entry.to_json_line(), g.output)?;
                if !no_ack {
                    receiver.ack(entry)?;
                }
            }
            receiver.shutdown();
            if pending.is_empty() && g.output == OutputFormat::Table {
                output::print(&Value::Array(vec![]), OutputFormat::Table)?;
            }
            Ok(())
        }
    }
}
