//! CARGO.RUN's sign-in (auth.md): the [`JwtAuth`] strategy, its process-wide sessions and
//! the token file.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::future::BoxFuture;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{AuthStrategy, Request, Response, Secret, Transport};
use crate::endpoints::Endpoint;
use crate::error::{Error, Result};

/// An access token's lifetime when it is not a JWT with an `exp` claim (auth.md §3.1: 30 min).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// How long no `GenerateToken` is sent after a 429 without `Retry-After`, and after a
/// refused user name or password.
pub const DEFAULT_GENERATE_COOLDOWN: Duration = Duration::from_secs(60);
/// The longest [`refresh_margin`].
pub const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// How many earlier tokens a session keeps for scrubbing.
const RETIRED_KEPT: usize = 16;

/// How long before its expiry a token is renewed: a tenth of its lifetime (`exp − iat`,
/// or `exp −` the time it came), at most [`MAX_REFRESH_MARGIN`]:
/// `margin = min(lifetime / 10, 60 s)`. A 30-minute token is renewed in its last minute; a
/// short one (a sandbox's) early enough, yet never at every call.
///
/// ```
/// use std::time::Duration;
/// use logibridge::transport::refresh_margin;
/// assert_eq!(refresh_margin(Duration::from_secs(1800)), Duration::from_secs(60));
/// assert_eq!(refresh_margin(Duration::from_secs(300)), Duration::from_secs(30));
/// assert_eq!(refresh_margin(Duration::from_secs(5)), Duration::from_millis(500));
/// ```
pub fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(MAX_REFRESH_MARGIN)
}

/// The `iat` (when present) and `exp` claims of a JWT, read from its payload (base64url,
/// padded or not) without checking its signature; `None` when it is not a JWT with `exp`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// // {"iat":1700000000,"exp":1700001800}
/// let token = "eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMTgwMH0.sig";
/// let (iat, exp) = logibridge::transport::jwt_times(token).unwrap();
/// assert_eq!(exp, UNIX_EPOCH + Duration::from_secs(1_700_001_800));
/// assert_eq!(iat, Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000)));
/// assert!(logibridge::transport::jwt_times("opaque-token").is_none());
/// ```
pub fn jwt_times(token: &str) -> Option<(Option<SystemTime>, SystemTime)> {
    use base64::Engine as _;
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    let at = |name: &str| claims.get(name).and_then(Value::as_f64).filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e11).map(|s| UNIX_EPOCH + Duration::from_secs_f64(s));
    Some((at("iat"), at("exp")?))
}

/// Which session a client belongs to.
#[derive(Clone, PartialEq, Eq, Hash)]
struct SessionKey {
    base_url: String,
    user: String,
    password_sha256: [u8; 32],
}

/// The tokens in force.
struct TokenSet {
    access: Secret,
    refresh: Option<Secret>,
    expires_at: SystemTime,
    renew_at: SystemTime,
}

/// What one session knows, behind a short lock.
#[derive(Default)]
struct Tokens {
    current: Option<TokenSet>,
    /// Counts the token sets adopted (0: none yet).
    generation: u64,
    /// Earlier tokens, still scrubbed from any text.
    retired: Vec<Secret>,
    /// The sign-in answer's other members (`currentUser`), kept as they came.
    extra: Map<String, Value>,
    /// Counts the sign-ins sent, and the last one's failure: a call that waited for a
    /// sign-in which failed gets that failure instead of sending another.
    sign_ins: u64,
    last_failure: Option<(u64, Failure)>,
}

/// A failure kept to be reported again (errors are not `Clone`; their texts are scrubbed).
#[derive(Clone)]
struct Failure {
    endpoint: String,
    status: Option<u16>,
    message: String,
    body: String,
    retry_after: Option<Duration>,
    until: Option<Instant>,
    /// The service was not reached (a connection failure or a timeout).
    unreached: bool,
}

impl Failure {
    fn of(e: &Error, until: Option<Instant>) -> Failure {
        let message = match e {
            Error::Http { message, .. } | Error::Auth { message, .. } => message.clone(),
            other => other.to_string(),
        };
        // A 429's wait runs on: whoever gets this failure again gets the wait left.
        let retry_after = match e {
            Error::Http { status: 429, retry_after, .. } => *retry_after,
            _ => None,
        };
        let until = until.or_else(|| retry_after.map(|w| Instant::now() + w));
        Failure { endpoint: e.endpoint().unwrap_or("").to_owned(), status: e.status(), message, body: e.body().unwrap_or("").to_owned(), retry_after, until, unreached: matches!(e, Error::Transport { .. } | Error::Timeout { .. }) }
    }
    /// The failure again, as an error of its kind.
    fn error(&self, note_en: &str, note_ru: &str) -> Error {
        let message = format!("{} ({note_en} / {note_ru})", self.message);
        if self.unreached {
            return Error::transport(self.endpoint.clone(), format!("{} ({note_en})", self.message), format!("{} ({note_ru})", self.message));
        }
        match self.status {
            Some(429) => Error::Http { endpoint: self.endpoint.clone(), status: 429, message, body: self.body.clone(), retry_after: self.until.map(|u| u.saturating_duration_since(Instant::now())).or(self.retry_after), outcome_unknown: false },
            Some(s) if s != 401 => Error::Http { endpoint: self.endpoint.clone(), status: s, message, body: self.body.clone(), retry_after: None, outcome_unknown: false },
            status => Error::Auth { endpoint: self.endpoint.clone(), status, message, body: self.body.clone() },
        }
    }
}

/// One signed-in session, shared by every client of its key.
#[derive(Default)]
struct Session {
    tokens: Mutex<Tokens>,
    /// Held while a token call is out: the single flight.
    flight: tokio::sync::Mutex<()>,
    /// A refused sign-in (wrong user name or password), not sent again before it ends.
    refused: Mutex<Option<Failure>>,
    /// The token file's password hash known to match this session's password (see
    /// [`PasswordHash`]): computed once per session, not at every write.
    file_hash: Mutex<Option<String>>,
}

fn sessions() -> &'static Mutex<HashMap<SessionKey, Arc<Session>>> {
    static SESSIONS: OnceLock<Mutex<HashMap<SessionKey, Arc<Session>>>> = OnceLock::new();
    SESSIONS.get_or_init(Mutex::default)
}

/// The end of each `GenerateToken` cooldown, by base URL and user name.
fn cooldowns() -> &'static Mutex<HashMap<(String, String), Failure>> {
    static COOLDOWNS: OnceLock<Mutex<HashMap<(String, String), Failure>>> = OnceLock::new();
    COOLDOWNS.get_or_init(Mutex::default)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// CARGO.RUN's sign-in: a JWT from a user name and a password (auth.md §3), renewed with
/// the refresh token (§4), shared by every client of one service URL and user in the
/// process. Built by the client for [`crate::endpoints::AuthSpec::Jwt`].
///
/// Why the sharing: `GenerateToken` answers 429 when it is called too often (§3.3), and a 1C
/// server makes a component object per session, a Python worker pool a client per process.
/// So a signed-in session lives in a process-wide registry keyed by the base URL, the user
/// name and a SHA-256 of the password (a wrong password never picks up another's token),
/// and optionally in a token file so that a restart does not sign in again.
///
/// The rules, each with its test in `core/tests/cargorun_auth.rs`:
/// - `GenerateToken` is sent once, when there is no session (or its renewal was refused);
///   never in a loop: a 429 starts a cooldown ([`Retry-After`], else
///   [`DEFAULT_GENERATE_COOLDOWN`]) kept per base URL and user for the whole process, during
///   which no `GenerateToken` is sent and every sign-in fails at once with
///   [`Error::Http`] status 429 and `retry_after` = the wait left; a refused password is
///   remembered alike, so it is not sent again before the same wait.
/// - The token's expiry is its `exp` claim (the payload is read without a signature check:
///   the client is not the token's audience), else [`DEFAULT_LIFETIME`] after it came. It is
///   renewed [`refresh_margin`] before that, and after a 401 that answered the token in
///   force (a 401 on a token another call has renewed meanwhile just repeats the call). A
///   token that comes already due by this computer's clock (the clocks disagree) is given
///   its lifetime (`exp − iat`) from its arrival: a skewed clock costs one 401, never a
///   renewal at every call.
/// - Renewal is single-flight: however many calls find the token stale, one `RefreshToken`
///   is sent and the others wait for its result. A refresh refused with a 4xx (other than
///   429) falls back to one `GenerateToken`.
/// - The token calls go through the client's own transport (same pool, timeouts, errors),
///   without credentials.
/// - Asked for by id (`client.call("cargorun.auth.generate_token", …)`), the token rows are
///   answered by the session: the answer comes back whole with every string member whose
///   name ends in `token` (any case) replaced by `***`, and the client adopts the tokens when
///   they are its own (the same user name and password; for `refresh_token`, pass `***` for
///   both tokens to renew the client's own). The tokens never reach a caller's output.
/// - A refresh token the service refused is dropped at once (never sent again), and a 401
///   marks the access token dead: while the sign-in cooldown lasts, every call fails at once
///   with the 429 and the wait left, sending nothing; after it, one `GenerateToken`.
/// - With a token file ([`crate::ClientBuilder::token_file`]), a session that has no token
///   yet takes the file's entry for its base URL and user when the entry's password hash is
///   its password's (else it signs in itself), and every new token is written back (a JSON
///   object `{"<base URL> <user>": {"access_token", "refresh_token", "expires_at" (Unix
///   seconds), "password_hash" (PBKDF2-HMAC-SHA-256, salted, 100 000 rounds)}}`,
///   written to a new file of mode 600 then renamed over the old one; never the password).
///   A file that group or others may read or write, a path that is not a regular file, or
///   one whose folder does not exist is refused when the client is built. A file that
///   cannot be written later is logged, and the call goes on.
/// - Tokens, refresh tokens and the password are [`Secret`]s: never in `Debug`, logs or
///   errors; [`AuthStrategy::secrets`] lists the password and every token the session held.
///
/// [`Retry-After`]: https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
pub struct JwtAuth {
    sender: Transport,
    generate: &'static Endpoint,
    refresh: &'static Endpoint,
    user: String,
    password: Secret,
    key: SessionKey,
    session: Arc<Session>,
    token_file: Option<PathBuf>,
}

impl fmt::Debug for JwtAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let generation = lock(&self.session.tokens).generation;
        f.debug_struct("JwtAuth").field("base_url", &self.key.base_url).field("user", &self.user).field("password", &self.password).field("generation", &generation).field("token_file", &self.token_file).finish()
    }
}

impl JwtAuth {
    /// The strategy for `user` and `password` at the sender's base URL, joining the
    /// process's session of that URL, user and password (or starting one). With a
    /// `token_file`, a session that has no token yet takes the file's entry for the URL and
    /// user, and every new token is written back to it. `sender` is the client's transport
    /// without credentials, through which the token rows are sent. No request is made here.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] `option.token_file` when the file is readable or
    /// writable by group or others, is not a regular file, cannot be read as a token file,
    /// or does not exist and neither does its folder.
    pub fn new(sender: Transport, generate: &'static Endpoint, refresh: &'static Endpoint, user: impl Into<String>, password: Secret, token_file: Option<PathBuf>) -> Result<JwtAuth> {
        let user = user.into();
        let key = SessionKey { base_url: sender.config().base_url.to_string(), user: user.clone(), password_sha256: Sha256::digest(password.expose().as_bytes()).into() };
        let session = lock(sessions()).entry(key.clone()).or_default().clone();
        let auth = JwtAuth { sender, generate, refresh, user, password, key, session, token_file };
        if let Some(path) = &auth.token_file {
            let stored = read_token_file(path)?.remove(&file_entry_key(&auth.key.base_url, &auth.user));
            // An entry written for another password (or without a hash) is not used: the
            // client signs in itself, and a wrong password meets the service's refusal.
            let stored = stored.filter(|(_, hash)| hash.as_deref().is_some_and(|h| auth.password_matches(h)));
            let mut t = lock(&auth.session.tokens);
            if let (None, Some((entry, _))) = (&t.current, stored) {
                t.current = Some(entry);
                t.generation += 1;
            }
        }
        Ok(auth)
    }

    /// Forgets every session and cooldown of `base_url` and `user` in this process, as a
    /// restart would (the token file stays): for tests.
    #[doc(hidden)]
    pub fn forget(base_url: &str, user: &str) {
        let base = super::parse_base_url(base_url).map(|u| u.to_string()).unwrap_or_default();
        lock(sessions()).retain(|k, _| !(k.base_url == base && k.user == user));
        lock(cooldowns()).remove(&(base, user.to_owned()));
    }

    /// How many token sets the session has adopted (sign-ins and renewals, a token file's
    /// entry included).
    pub fn generation(&self) -> u64 {
        lock(&self.session.tokens).generation
    }

    /// The members of the sign-in answer other than the tokens (`currentUser`), as they came.
    pub fn sign_in_details(&self) -> Map<String, Value> {
        lock(&self.session.tokens).extra.clone()
    }

    /// Whether a token file entry's `password_hash` is this client's password's.
    fn password_matches(&self, stored: &str) -> bool {
        if lock(&self.session.file_hash).as_deref() == Some(stored) {
            return true;
        }
        let matches = PasswordHash::parse(stored).is_some_and(|h| h.matches(self.password.expose()));
        if matches {
            *lock(&self.session.file_hash) = Some(stored.to_owned());
        }
        matches
    }

    /// The `password_hash` to write beside this session's tokens: the one already known to
    /// match, else a new one (a fresh salt).
    fn file_password_hash(&self) -> String {
        let mut known = lock(&self.session.file_hash);
        known.get_or_insert_with(|| PasswordHash::new(self.password.expose()).to_string()).clone()
    }

    /// The service refused the token in force (a 401 on it): it is dead whatever its `exp`
    /// says, so no call is sent with it again.
    fn expire_current(&self) {
        let now = SystemTime::now();
        if let Some(c) = lock(&self.session.tokens).current.as_mut() {
            c.expires_at = c.expires_at.min(now);
            c.renew_at = c.renew_at.min(now);
        }
    }

    /// Forgets a refresh token the service refused, so it is never sent again: until a
    /// sign-in succeeds, every renewal is a sign-in (refused at once within a cooldown).
    fn drop_refresh(&self, refused: &Secret) {
        let mut t = lock(&self.session.tokens);
        let dropped = t.current.as_mut().filter(|c| c.refresh.as_ref() == Some(refused)).and_then(|c| c.refresh.take());
        t.retired.extend(dropped);
    }

    fn cooldown_key(&self, user: &str) -> (String, String) {
        (self.key.base_url.clone(), user.to_owned())
    }

    /// The access token to send: the one in force, renewed first when its time has come.
    async fn access_token(&self) -> Result<Secret> {
        if let Some(token) = self.fresh_token() {
            return Ok(token);
        }
        let sign_ins = lock(&self.session.tokens).sign_ins;
        let _flight = self.session.flight.lock().await;
        // Whoever held the flight may have renewed it meanwhile.
        if let Some(token) = self.fresh_token() {
            return Ok(token);
        }
        let (stale, failed) = {
            let t = lock(&self.session.tokens);
            let stale = t.current.as_ref().map(|c| (c.access.clone(), c.refresh.clone(), c.expires_at));
            let failed = t.last_failure.as_ref().filter(|(n, _)| *n > sign_ins).map(|(_, f)| f.clone());
            (stale, failed)
        };
        match stale {
            Some((access, Some(refresh), expires_at)) => match self.renew(&access, &refresh).await {
                Ok(()) => self.current_token().ok_or_else(|| Error::Internal("renewed without a token".into())),
                // The service could not be asked (down, timeout): the token still holds.
                Err(e) if SystemTime::now() < expires_at && !is_refusal(&e) => {
                    tracing::warn!(error = %e, "the token could not be renewed; the current one is used until it expires");
                    Ok(access)
                }
                Err(e) => Err(e),
            },
            stale => {
                let result = match failed {
                    Some(f) => Err(f.error("the sign-in made by another call just now failed; not sent again", "вход, выполненный только что другим вызовом, не удался; повторно не отправлен")),
                    None => self.sign_in().await.map(|_| ()),
                };
                match (result, stale) {
                    (Ok(()), _) => self.current_token().ok_or_else(|| Error::Internal("signed in without a token".into())),
                    // Its refresh token was refused, the sign-in could not be made (a
                    // cooldown, the service down): the access token still holds.
                    (Err(e), Some((access, None, expires_at))) if SystemTime::now() < expires_at && !is_refusal(&e) => {
                        tracing::warn!(error = %e, "no new token could be had; the current one is used until it expires");
                        Ok(access)
                    }
                    (Err(e), _) => Err(e),
                }
            }
        }
    }

    /// The token in force when it is not yet due for renewal.
    fn fresh_token(&self) -> Option<Secret> {
        let t = lock(&self.session.tokens);
        t.current.as_ref().filter(|c| SystemTime::now() < c.renew_at).map(|c| c.access.clone())
    }

    fn current_token(&self) -> Option<Secret> {
        lock(&self.session.tokens).current.as_ref().map(|c| c.access.clone())
    }

    /// `RefreshToken`; refused with a 4xx other than 429, one `GenerateToken` instead.
    /// Called with the flight held.
    async fn renew(&self, access: &Secret, refresh: &Secret) -> Result<()> {
        let body = serde_json::json!({"accessToken": access.expose(), "refreshToken": refresh.expose()});
        match self.sender.execute(Request::new(self.refresh).json(body)).await {
            Ok(answer) => {
                self.adopt(&answer.body, self.refresh.id)?;
                tracing::info!(endpoint = self.refresh.id, generation = self.generation(), "token renewed");
                Ok(())
            }
            Err(e) if is_refusal(&e) => {
                tracing::info!(endpoint = self.refresh.id, status = e.status(), "the refresh was refused; signing in again");
                self.drop_refresh(refresh);
                self.sign_in().await.map(|_| ())
            }
            Err(e) => Err(self.scrubbed(e)),
        }
    }

    /// One `GenerateToken` for the client's own user, unless a cooldown or a refusal is in
    /// force. Called with the flight held. Returns the answer's body.
    async fn sign_in(&self) -> Result<bytes::Bytes> {
        if let Some(f) = lock(&self.session.refused).clone().filter(|f| f.until.is_some_and(|u| Instant::now() < u)) {
            return Err(f.error("the service refused these credentials just now; not sent again before the wait ends", "сервис только что отклонил эти учётные данные; повторно не отправлено до конца паузы"));
        }
        let result = self.generate_token(&self.user, &self.password).await;
        let mut t = lock(&self.session.tokens);
        t.sign_ins += 1;
        let n = t.sign_ins;
        match result {
            Ok(body) => {
                drop(t);
                self.adopt(&body, self.generate.id)?;
                tracing::info!(endpoint = self.generate.id, generation = self.generation(), "signed in");
                Ok(body)
            }
            Err(e) => {
                t.last_failure = Some((n, Failure::of(&e, None)));
                if is_refusal(&e) {
                    *lock(&self.session.refused) = Some(Failure::of(&e, Some(Instant::now() + DEFAULT_GENERATE_COOLDOWN)));
                }
                Err(e)
            }
        }
    }

    /// Sends `GenerateToken` for `user` unless its cooldown is on; a 429 starts one.
    async fn generate_token(&self, user: &str, password: &Secret) -> Result<bytes::Bytes> {
        let key = self.cooldown_key(user);
        if let Some(f) = lock(cooldowns()).get(&key).filter(|f| f.until.is_some_and(|u| Instant::now() < u)).cloned() {
            return Err(f.error("GenerateToken is not sent again before the service's cooldown ends", "GenerateToken не отправляется повторно до конца паузы, заданной сервисом"));
        }
        let body = serde_json::json!({"userName": user, "password": password.expose()});
        match self.sender.execute(Request::new(self.generate).json(body)).await {
            Ok(answer) => {
                lock(cooldowns()).remove(&key);
                Ok(answer.body)
            }
            Err(e) if e.status() == Some(429) => {
                let wait = match &e {
                    Error::Http { retry_after: Some(w), .. } => *w,
                    _ => DEFAULT_GENERATE_COOLDOWN,
                };
                let mut f = Failure::of(&self.scrubbed(e), Some(Instant::now() + wait));
                f.retry_after = Some(wait);
                lock(cooldowns()).insert(key, f.clone());
                tracing::warn!(endpoint = self.generate.id, wait_s = wait.as_secs_f64(), "GenerateToken answered 429: no sign-in is sent before the wait ends");
                let mut err = f.error(&format!("no GenerateToken is sent for {:.0} s", wait.as_secs_f64()), &format!("GenerateToken не отправляется ещё {:.0} с", wait.as_secs_f64()));
                if let Error::Http { retry_after, .. } = &mut err {
                    // The whole wait, as the service (or the default) gave it.
                    *retry_after = Some(wait);
                }
                Err(err)
            }
            Err(e) => Err(self.scrubbed(e)),
        }
    }

    /// Takes the tokens of a sign-in or refresh answer: `accessToken` (required) and
    /// `refreshToken`, their expiry from the JWT; the other members are kept.
    fn adopt(&self, body: &[u8], endpoint: &str) -> Result<()> {
        let mut answer: Map<String, Value> = serde_json::from_slice(body).map_err(|e| {
            // No excerpt: the body holds the tokens.
            Error::Decode { endpoint: endpoint.into(), path: String::new(), message: format!("the answer is not a JSON object: {e}"), message_ru: format!("ответ — не объект JSON: {}", crate::error::russian::serde_message(&e.to_string())), excerpt: String::new() }
        })?;
        let token = |answer: &mut Map<String, Value>, name: &str| match answer.remove(name) {
            Some(Value::String(s)) if !s.is_empty() => Some(Secret::new(s)),
            _ => None,
        };
        let access = token(&mut answer, "accessToken").ok_or_else(|| Error::Decode {
            endpoint: endpoint.into(),
            path: "accessToken".into(),
            message: "the answer has no accessToken string".into(),
            message_ru: "в ответе нет строки accessToken".into(),
            excerpt: String::new(),
        })?;
        let refresh = token(&mut answer, "refreshToken");
        let set = token_set(access, refresh, SystemTime::now());
        let mut t = lock(&self.session.tokens);
        if let Some(old) = t.current.take() {
            t.retired.push(old.access);
            t.retired.extend(old.refresh);
            let excess = t.retired.len().saturating_sub(RETIRED_KEPT);
            t.retired.drain(..excess);
        }
        let entry = self.token_file.as_ref().map(|_| (set.access.clone(), set.refresh.clone(), set.expires_at));
        t.current = Some(set);
        t.generation += 1;
        if endpoint == self.generate.id || t.extra.is_empty() {
            t.extra = answer;
        }
        drop(t);
        if let (Some(path), Some(entry)) = (&self.token_file, entry) {
            if let Err(e) = write_token_file(path, &file_entry_key(&self.key.base_url, &self.user), entry, &self.file_password_hash()) {
                tracing::warn!(error = %e, "the token file was not written");
            }
        }
        Ok(())
    }

    /// A token row asked for by id (see [`JwtAuth`]): answered by the session, the tokens
    /// masked.
    async fn own_answer(&self, req: &Request) -> Result<Response> {
        let given = req.body.as_ref().and_then(Value::as_object).cloned().unwrap_or_default();
        let text = |name: &str| given.get(name).and_then(Value::as_str).unwrap_or("").to_owned();
        let body = if req.endpoint.id == self.generate.id {
            let (user, password) = (text("userName"), Secret::new(text("password")));
            if user == self.user && password == self.password {
                let _flight = self.session.flight.lock().await;
                self.sign_in().await?
            } else {
                // Someone else's sign-in: sent (within its cooldown), never adopted.
                self.generate_token(&user, &password).await?
            }
        } else {
            let _flight = self.session.flight.lock().await;
            let own = lock(&self.session.tokens).current.as_ref().map(|c| (c.access.clone(), c.refresh.clone()));
            match own {
                Some((access, Some(refresh))) if text("accessToken") == "***" && text("refreshToken") == "***" || (text("accessToken") == access.expose() && text("refreshToken") == refresh.expose()) => {
                    let body = serde_json::json!({"accessToken": access.expose(), "refreshToken": refresh.expose()});
                    let answer = self.sender.execute(Request::new(self.refresh).json(body)).await.map_err(|e| self.scrubbed(e))?;
                    self.adopt(&answer.body, self.refresh.id)?;
                    answer.body
                }
                _ if text("accessToken") == "***" || text("refreshToken") == "***" => {
                    // `***` names the session's own tokens; with none to renew, sending the
                    // three stars would only earn the service's 401.
                    return Err(Error::invalid_argument(
                        "cargorun.auth.refresh_token: `***` stands for this client's own tokens, and it has none to renew yet (it signs in with its first call)",
                        "cargorun.auth.refresh_token: `***` обозначает собственные токены клиента, а их ещё нет (клиент входит при первом вызове)",
                    ));
                }
                _ => self.sender.execute(req.clone()).await.map_err(|e| self.scrubbed(e))?.body,
            }
        };
        let mut value: Value = serde_json::from_slice(&body).map_err(|e| Error::decode(req.endpoint.id, "", e.to_string(), ""))?;
        mask_tokens(&mut value);
        let body = serde_json::to_vec(&value).map_err(|e| Error::Internal(format!("cannot encode the masked answer: {e}")))?;
        Ok(Response { status: 200, headers: reqwest::header::HeaderMap::new(), body: body.into() })
    }

    fn scrubbed(&self, e: Error) -> Error {
        e.scrubbed(&self.secrets())
    }
}

/// A refusal of the credentials themselves (a 4xx but 429): asking again the same way
/// will not help.
fn is_refusal(e: &Error) -> bool {
    matches!(e.status(), Some(s) if (400..500).contains(&s) && s != 429)
}

/// The expiry and renewal time of a token that came `now`. A token that comes already due
/// by the local clock (its `exp` minus the margin has passed: the clocks disagree) is given
/// its lifetime (`exp − iat`, else [`DEFAULT_LIFETIME`]) from its arrival instead, so that
/// a skewed clock costs one 401 and its renewal, never a renewal at every call.
fn token_set(access: Secret, refresh: Option<Secret>, now: SystemTime) -> TokenSet {
    let (issued, expires_at) = match jwt_times(access.expose()) {
        Some((iat, exp)) => (iat.unwrap_or(now).min(exp), exp),
        None => (now, now + DEFAULT_LIFETIME),
    };
    let lifetime = expires_at.duration_since(issued).unwrap_or_default();
    let margin = refresh_margin(lifetime);
    let renew_at = expires_at.checked_sub(margin).unwrap_or(expires_at);
    if renew_at <= now {
        let lifetime = if lifetime.is_zero() { DEFAULT_LIFETIME } else { lifetime };
        tracing::warn!(lifetime_s = lifetime.as_secs(), "the token came already due by this computer's clock; it is given its lifetime from now");
        return TokenSet { access, refresh, expires_at: now + lifetime, renew_at: now + lifetime - refresh_margin(lifetime) };
    }
    TokenSet { access, refresh, expires_at, renew_at }
}

/// Replaces every string member whose name ends in `token` (any case) by `***`, at any depth.
///
/// ```ignore
/// let mut v = json!({"accessToken": "a", "currentUser": {"fcmToken": "b", "name": "n"}});
/// mask_tokens(&mut v);
/// assert_eq!(v, json!({"accessToken": "***", "currentUser": {"fcmToken": "***", "name": "n"}}));
/// ```
fn mask_tokens(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                if v.is_string() && k.to_ascii_lowercase().ends_with("token") {
                    *v = Value::from("***");
                } else {
                    mask_tokens(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_tokens),
        _ => {}
    }
}

impl AuthStrategy for JwtAuth {
    fn authorize<'a>(&'a self, _: &'a mut url::Url, headers: &'a mut reqwest::header::HeaderMap) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let token = self.access_token().await.map_err(|e| self.scrubbed(e))?;
            let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                .map_err(|_| Error::invalid_argument("the access token holds characters a header cannot carry", "токен доступа содержит символы, недопустимые в заголовке HTTP"))?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
            Ok(())
        })
    }

    fn refresh<'a>(&'a self, rejected: &'a reqwest::header::HeaderMap) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let sent = rejected.get(reqwest::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("").to_owned();
            let _flight = self.session.flight.lock().await;
            let current = lock(&self.session.tokens).current.as_ref().map(|c| (c.access.clone(), c.refresh.clone()));
            let result = match current {
                // Renewed by another call since this one was sent: just repeat it.
                Some((access, _)) if access.expose() != sent => Ok(true),
                current => {
                    self.expire_current();
                    match current {
                        Some((access, Some(refresh))) => self.renew(&access, &refresh).await.map(|()| true),
                        // No refresh token (none came, or it was refused): one sign-in,
                        // refused at once while a cooldown is on.
                        _ => self.sign_in().await.map(|_| true),
                    }
                }
            };
            result.map_err(|e| self.scrubbed(e))
        })
    }

    fn secrets(&self) -> Vec<String> {
        let t = lock(&self.session.tokens);
        let mut out = vec![self.password.expose().to_owned()];
        if let Some(c) = &t.current {
            out.push(c.access.expose().to_owned());
            out.extend(c.refresh.as_ref().map(|r| r.expose().to_owned()));
        }
        out.extend(t.retired.iter().map(|s| s.expose().to_owned()));
        out
    }

    fn own_call<'a>(&'a self, req: &'a Request) -> Option<BoxFuture<'a, Result<Response>>> {
        if req.endpoint.id != self.generate.id && req.endpoint.id != self.refresh.id {
            return None;
        }
        Some(Box::pin(async move { self.own_answer(req).await.map_err(|e| self.scrubbed(e)) }))
    }
}

/// The file's entry name for a session: base URL and user name (never the password).
fn file_entry_key(base_url: &str, user: &str) -> String {
    format!("{base_url} {user}")
}

/// PBKDF2 rounds of a token file's password hash (the OWASP figure for HMAC-SHA-256 is
/// higher; 100 000 keeps a sign-in from the file well under a second in a debug build).
const FILE_HASH_ROUNDS: u32 = 100_000;

/// A token file entry's `password_hash`: `pbkdf2-sha256$<rounds>$<salt>$<hash>` (salt and
/// hash in unpadded base64url), PBKDF2-HMAC-SHA-256 (RFC 8018) of the password with a
/// random 16-byte salt. It binds the entry to the password that signed in, so a client with
/// a wrong password does not take its tokens, while the file keeps no password (a slow,
/// salted hash resists guessing).
struct PasswordHash {
    rounds: u32,
    salt: Vec<u8>,
    hash: [u8; 32],
}

impl PasswordHash {
    const PREFIX: &'static str = "pbkdf2-sha256";

    fn new(password: &str) -> PasswordHash {
        let salt = rand::random::<[u8; 16]>().to_vec();
        let hash = pbkdf2_sha256(password.as_bytes(), &salt, FILE_HASH_ROUNDS);
        PasswordHash { rounds: FILE_HASH_ROUNDS, salt, hash }
    }

    /// `None` when the text is not such a hash, or has fewer rounds than this library writes
    /// (a cheap hash planted in the file would be easy to match).
    fn parse(text: &str) -> Option<PasswordHash> {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut parts = text.split('$');
        if parts.next()? != Self::PREFIX {
            return None;
        }
        let rounds: u32 = parts.next()?.parse().ok().filter(|r| *r >= FILE_HASH_ROUNDS)?;
        let salt = b64.decode(parts.next()?).ok().filter(|s| s.len() >= 16)?;
        let hash = b64.decode(parts.next()?).ok()?.try_into().ok()?;
        parts.next().is_none().then_some(PasswordHash { rounds, salt, hash })
    }

    fn matches(&self, password: &str) -> bool {
        let computed = pbkdf2_sha256(password.as_bytes(), &self.salt, self.rounds);
        // Compared without an early exit.
        computed.iter().zip(self.hash).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0
    }
}

impl fmt::Display for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        write!(f, "{}${}${}${}", Self::PREFIX, self.rounds, b64.encode(&self.salt), b64.encode(self.hash))
    }
}

/// PBKDF2-HMAC-SHA-256 (RFC 8018 §5.2, HMAC per RFC 2104), one 32-byte block. Written here
/// because no PBKDF2 or HMAC crate is among the core's dependencies; the test vectors of
/// RFC 7914 §11 pin it.
///
/// Every round after the first hashes 32 bytes behind a 64-byte key block: one SHA-256
/// compression for the inner hash and one for the outer, from the key blocks' states
/// computed once (FIPS 180-4 §5.1.1 gives the padding of a 96-byte message). Calling the
/// compression function directly keeps the 100 000 rounds cheap in every build profile,
/// where the streaming hasher's generic code would run unoptimised.
fn pbkdf2_sha256(password: &[u8], salt: &[u8], rounds: u32) -> [u8; 32] {
    use sha2::digest::generic_array::GenericArray;
    const SHA256_IV: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut key = [0u8; 64];
    if password.len() > key.len() {
        key[..32].copy_from_slice(&Sha256::digest(password));
    } else {
        key[..password.len()].copy_from_slice(password);
    }
    let compress = |state: &mut [u32; 8], block: &[u8; 64]| sha2::compress256(state, std::slice::from_ref(GenericArray::from_slice(block)));
    let keyed = |pad: u8| {
        let mut state = SHA256_IV;
        compress(&mut state, &key.map(|k| k ^ pad));
        state
    };
    let (inner, outer) = (keyed(0x36), keyed(0x5c));
    // U1 = HMAC(password, salt ‖ INT(1)): the salt's length varies, so the streaming hasher.
    let mut first = Sha256::new();
    first.update(key.map(|k| k ^ 0x36));
    first.update(salt);
    first.update(1u32.to_be_bytes());
    let mut second = Sha256::new();
    second.update(key.map(|k| k ^ 0x5c));
    second.update(first.finalize());
    let mut u: [u8; 32] = second.finalize().into();
    let mut out = u;
    // A 32-byte message after a 64-byte block: 0x80, zeros, and the 768-bit length.
    let mut block = [0u8; 64];
    block[32] = 0x80;
    block[56..].copy_from_slice(&768u64.to_be_bytes());
    let digest_of = |state: [u32; 8]| {
        let mut bytes = [0u8; 32];
        for (chunk, word) in bytes.chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        bytes
    };
    for _ in 1..rounds {
        block[..32].copy_from_slice(&u);
        let mut state = inner;
        compress(&mut state, &block);
        block[..32].copy_from_slice(&digest_of(state));
        let mut state = outer;
        compress(&mut state, &block);
        u = digest_of(state);
        for (o, x) in out.iter_mut().zip(u) {
            *o ^= x;
        }
    }
    out
}

/// The token file option's error.
fn file_error(path: &Path, en: String, ru: String) -> Error {
    Error::invalid_param("client", "token_file", "option.token_file", format!("{}: {en}", path.display()), format!("{}: {ru}", path.display()))
}

/// Refuses a file that group or others may read or write (Unix); elsewhere the directory's
/// own protection is relied on.
fn check_owner_only(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(file_error(
                path,
                format!("a token file must be readable and writable by its owner only (mode 600), but it is {mode:03o}; run chmod 600 on it"),
                format!("файл токенов должен быть доступен только владельцу (права 600), а у него {mode:03o}; выполните chmod 600"),
            ));
        }
    }
    let _ = (path, meta);
    Ok(())
}

/// The sessions a token file holds, by base URL and user name: a JSON object of
/// `{"access_token", "refresh_token", "expires_at" (Unix seconds), "password_hash"}`, each
/// with its `password_hash` text (checked by the caller). A missing file holds none.
///
/// # Errors
/// [`Error::InvalidParameter`] `option.token_file` (naming the path and the rule) when the
/// path is not a regular file (a folder), the file is readable or writable by group or
/// others (Unix: any of the mode bits 077), or is not such a JSON object; or when it does
/// not exist and its folder does not either (it could never be written).
fn read_token_file(path: &Path) -> Result<HashMap<String, (TokenSet, Option<String>)>> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A file that could never be written would send every restart into the sign-in
            // cooldown: refused now rather than logged at each write.
            let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !folder.is_dir() {
                return Err(file_error(
                    path,
                    format!("the folder {} does not exist, so the token file could never be written; create it first", folder.display()),
                    format!("папка {} не существует, и файл токенов не мог бы быть записан; сначала создайте её", folder.display()),
                ));
            }
            return Ok(HashMap::new());
        }
        Err(e) => return Err(file_error(path, format!("cannot be read: {e}"), format!("не читается: {}", crate::error::russian::io_failure(&e)))),
    };
    if !meta.is_file() {
        let (what, what_ru) = if meta.is_dir() { ("a folder", "папка") } else { ("a special file", "особый файл") };
        return Err(file_error(
            path,
            format!("is {what}, not a regular file; a token file must be a regular file (or not exist yet)"),
            format!("это {what_ru}, а не обычный файл; файл токенов должен быть обычным файлом (или ещё не существовать)"),
        ));
    }
    check_owner_only(path, &meta)?;
    let text = std::fs::read(path).map_err(|e| file_error(path, format!("cannot be read: {e}"), format!("не читается: {}", crate::error::russian::io_failure(&e))))?;
    let entries: Map<String, Value> = serde_json::from_slice(&text).map_err(|_| file_error(path, "is not a token file (a JSON object written by logibridge)".into(), "не является файлом токенов (объектом JSON, записанным logibridge)".into()))?;
    let now = SystemTime::now();
    Ok(entries
        .into_iter()
        .filter_map(|(k, v)| {
            let access = Secret::new(v.get("access_token")?.as_str()?);
            let refresh = v.get("refresh_token").and_then(Value::as_str).map(Secret::new);
            let expires_at = UNIX_EPOCH + Duration::from_secs(v.get("expires_at")?.as_u64()?);
            let mut set = token_set(access, refresh, now);
            set.expires_at = expires_at;
            set.renew_at = set.renew_at.min(expires_at);
            let hash = v.get("password_hash").and_then(Value::as_str).map(str::to_owned);
            Some((k, (set, hash)))
        })
        .collect())
}

/// Writes one session into the token file, keeping the others: a new file (mode 600)
/// beside it, then renamed over it, so a reader never sees half a file.
fn write_token_file(path: &Path, entry_key: &str, (access, refresh, expires_at): (Secret, Option<Secret>, SystemTime), password_hash: &str) -> Result<()> {
    static WRITING: Mutex<()> = Mutex::new(());
    let _one_writer = lock(&WRITING);
    let mut entries: Map<String, Value> = match std::fs::read(path) {
        Ok(text) => serde_json::from_slice(&text).unwrap_or_default(),
        Err(_) => Map::new(),
    };
    let expires = expires_at.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    entries.insert(entry_key.to_owned(), serde_json::json!({"access_token": access.expose(), "refresh_token": refresh.as_ref().map(Secret::expose), "expires_at": expires, "password_hash": password_hash}));
    let text = serde_json::to_vec_pretty(&entries).map_err(|e| Error::Internal(format!("cannot encode the token file: {e}")))?;
    let tmp = path.with_file_name(format!(".{}.{}.tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("tokens"), std::process::id()));
    let io = |e: std::io::Error| file_error(path, format!("cannot be written: {e}"), format!("не записывается: {}", crate::error::russian::io_failure(&e)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    {
        use std::io::Write as _;
        let mut file = options.open(&tmp).map_err(io)?;
        // A leftover temporary file of another mode keeps its mode on open: set it.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            file.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        }
        file.write_all(&text).map_err(io)?;
        file.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_masked_at_any_depth() {
        let mut v = serde_json::json!({"accessToken": "a", "RefreshToken": "r", "currentUser": {"fcmToken": "b", "name": "n", "tokens": 3}, "list": [{"x_token": "c"}]});
        mask_tokens(&mut v);
        assert_eq!(v, serde_json::json!({"accessToken": "***", "RefreshToken": "***", "currentUser": {"fcmToken": "***", "name": "n", "tokens": 3}, "list": [{"x_token": "***"}]}));
    }

    #[test]
    fn pbkdf2_matches_the_rfc_7914_vectors() {
        let hex = |b: [u8; 32]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(hex(pbkdf2_sha256(b"passwd", b"salt", 1)), "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
        assert_eq!(hex(pbkdf2_sha256(b"Password", b"NaCl", 80000)), "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56");
    }

    #[test]
    fn a_password_hash_matches_its_password_only_and_survives_its_text() {
        let written = PasswordHash::new("right").to_string();
        let read = PasswordHash::parse(&written).unwrap();
        assert!(read.matches("right") && !read.matches("wrong"));
        assert_ne!(written, PasswordHash::new("right").to_string(), "a fresh salt each time");
        // Fewer rounds than the library writes: not accepted.
        let weak = PasswordHash { rounds: 1, ..PasswordHash::parse(&written).unwrap() }.to_string();
        assert!(PasswordHash::parse(&weak).is_none());
    }

    #[test]
    fn an_opaque_token_lives_the_default_lifetime() {
        let now = SystemTime::now();
        let set = token_set(Secret::new("opaque"), None, now);
        assert_eq!(set.expires_at, now + DEFAULT_LIFETIME);
        assert_eq!(set.renew_at, now + DEFAULT_LIFETIME - MAX_REFRESH_MARGIN);
    }
}
