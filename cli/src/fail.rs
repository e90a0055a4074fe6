//! What a command failed with: one English and one Russian text and the exit code, mapped
//! once from the core's [`logibridge::Error`].

use logibridge::{Error, ErrorKind};

/// The process's exit codes (issue 16's contract; `--help` lists them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// A local failure: a file of this machine that cannot be used (the input, the
    /// output, the callback journal, the sync store, the token cache), an internal error.
    Local = 1,
    /// The command line or the config file is wrong.
    Usage = 2,
    /// A parameter or a documented rule was broken; nothing was sent.
    Validation = 3,
    /// The service answered with an error (an HTTP status, a refused credential, an
    /// answer that does not read as documented).
    Api = 4,
    /// The service could not be reached, or did not answer in time; nothing was applied or
    /// the call is safe to repeat.
    Transport = 5,
    /// A call that changes something was sent and its answer lost: it may have been applied.
    OutcomeUnknown = 6,
}

/// A failed command.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub en: String,
    pub ru: String,
    /// The core's error as JSON (code, kind, field, status, …) for `--output json`.
    pub json: Option<serde_json::Value>,
}

/// Whether the user reads Russian: the first of LC_ALL, LC_MESSAGES and LANG that is set
/// (the POSIX order) starts with `ru`.
pub fn russian() -> bool {
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(v) = std::env::var(var) {
            if !v.is_empty() {
                return v.starts_with("ru");
            }
        }
    }
    false
}

impl Failure {
    pub fn new(exit: Exit, en: impl Into<String>, ru: impl Into<String>) -> Failure {
        Failure { exit, en: en.into(), ru: ru.into(), json: None }
    }

    pub fn usage(en: impl Into<String>, ru: impl Into<String>) -> Failure {
        Failure::new(Exit::Usage, en, ru)
    }

    pub fn local(en: impl Into<String>, ru: impl Into<String>) -> Failure {
        Failure::new(Exit::Local, en, ru)
    }

    /// A file of the user's that cannot be read or written: a local failure (exit 1)
    /// naming the path, with the core's texts. (The core classes it `InvalidArgument`,
    /// which would read as exit 3, "nothing was sent"; here it is the machine's problem.)
    pub fn file(action: (&str, &str), path: &std::path::Path, e: &std::io::Error) -> Failure {
        Failure::of_local(Error::file(action, path.display(), e))
    }

    /// A core error about a local file (the sync store, the callback journal): exit 1,
    /// its texts and JSON kept.
    pub fn of_local(e: Error) -> Failure {
        Failure { exit: Exit::Local, ..Failure::from(e) }
    }

    /// Prints the failure on stderr in the user's language (as JSON when scripts read the
    /// output).
    pub fn print(&self, json: bool) {
        if json {
            let value = self.json.clone().unwrap_or_else(|| serde_json::json!({"code": "cli", "message": self.en, "message_ru": self.ru}));
            say!("{value}");
        } else if russian() {
            say!("logibridge: {}", self.ru);
        } else {
            say!("logibridge: {}", self.en);
        }
    }
}

/// The exit code of a core error. Outcome unknown wins over the kind; a price list the
/// library reads is the user's input, so its bad row is a validation failure, not the
/// service's.
pub fn exit_of(e: &Error) -> Exit {
    if e.outcome_unknown() {
        return Exit::OutcomeUnknown;
    }
    match e.kind() {
        ErrorKind::Validation | ErrorKind::InvalidArgument => Exit::Validation,
        ErrorKind::Decode if e.endpoint() == Some(logibridge::pricelist::PARSE_ENDPOINT) => Exit::Validation,
        ErrorKind::Transport | ErrorKind::Timeout => Exit::Transport,
        ErrorKind::Http
        | ErrorKind::Auth
        | ErrorKind::PermissionDenied
        | ErrorKind::NotFound
        | ErrorKind::Conflict
        | ErrorKind::RateLimited
        | ErrorKind::Server
        | ErrorKind::Decode => Exit::Api,
        ErrorKind::Internal => Exit::Local,
    }
}

impl Failure {
    /// A core error that stays where it is (inside an Arrow error): its texts and JSON.
    pub fn of_core(e: &Error) -> Failure {
        Failure { exit: exit_of(e), en: e.to_string(), ru: e.message_ru(), json: Some(e.to_json()) }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::of_core(&e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_unknown_wins_over_the_transport_kind() {
        let e = Error::transport("carreta.order.create", "connection reset", "соединение разорвано").with_outcome_unknown(true);
        assert_eq!(exit_of(&e), Exit::OutcomeUnknown);
        let e = Error::transport("carreta.search.query", "connection refused", "в соединении отказано");
        assert_eq!(exit_of(&e), Exit::Transport);
    }

    #[test]
    fn a_bad_price_row_is_the_users_input() {
        let e = Error::decode(logibridge::pricelist::PARSE_ENDPOINT, "line 3, column Цена", "bad price", "x");
        assert_eq!(exit_of(&e), Exit::Validation);
        let e = Error::decode("carreta.search.query", "objects[0].price", "bad price", "x");
        assert_eq!(exit_of(&e), Exit::Api);
    }
}
