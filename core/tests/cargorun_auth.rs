//! CARGO.RUN's JWT sign-in (issue 12, Auth) against a small fake service that counts its
//! calls: one `GenerateToken`, expiry from the JWT, renewal before expiry and after a 401,
//! single flight, the 429 cooldown across client objects, the token file, and no secret in
//! any output.

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use common::{serve, Log, Reply, Seen};
use logibridge::endpoints::{cargorun, Endpoint, Method};
use logibridge::transport::{JwtAuth, DEFAULT_GENERATE_COOLDOWN};
use logibridge::{Client, ErrorKind};
use serde_json::{json, Value};

const USER: &str = "integration@example.com";
const PASSWORD: &str = "pw-canary-9c1e77";

/// A call that needs the token (the fake answers it at `api/ping`).
static PING: Endpoint = Endpoint::new("cargorun.test.ping", "cargorun", Method::Get, "api/ping");

/// How the fake issues and checks tokens.
struct Fake {
    /// Access tokens it accepts now.
    valid: HashSet<String>,
    /// Refresh tokens it accepts now.
    refresh: HashSet<String>,
    issued: u64,
    /// `iat` and `exp` of the next tokens, in seconds from now.
    iat: i64,
    exp: i64,
    /// Status of GenerateToken / RefreshToken when not 200, and GenerateToken's Retry-After.
    generate_status: u16,
    /// Holds GenerateToken's answer this long, so concurrent callers are all waiting on it.
    generate_delay: Duration,
    refresh_status: u16,
    retry_after: Option<&'static str>,
    /// The status of `api/ping` for a valid token (a 403 echoes the token: the canary).
    ping_status: u16,
    /// 401s answered on `api/ping`.
    unauthorized: usize,
}

impl Default for Fake {
    fn default() -> Fake {
        Fake { valid: HashSet::new(), refresh: HashSet::new(), issued: 0, iat: 0, exp: 1800, generate_status: 200, generate_delay: Duration::ZERO, refresh_status: 200, retry_after: None, ping_status: 200, unauthorized: 0 }
    }
}

fn now_s() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

impl Fake {
    fn issue(&mut self) -> Value {
        self.issued += 1;
        let n = self.issued;
        let access = format!("{}.{}.sig-canary-{n}", b64(&json!({"alg": "HS256"})), b64(&json!({"sub": USER, "iat": now_s() + self.iat, "exp": now_s() + self.exp, "n": n})));
        let refresh = format!("refresh-canary-{n}-5a9d");
        self.valid.insert(access.clone());
        self.refresh.insert(refresh.clone());
        json!({"accessToken": access, "refreshToken": refresh, "currentUser": {"userName": USER, "fullName": "Интеграция", "n": n}})
    }

    fn is_valid(&self, token: &str) -> bool {
        let exp = token.split('.').nth(1).and_then(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok()).and_then(|b| serde_json::from_slice::<Value>(&b).ok()).and_then(|c| c["exp"].as_i64());
        self.valid.contains(token) && exp.is_some_and(|e| e > now_s())
    }

    fn answer(&mut self, seen: &Seen) -> Reply {
        let body: Value = serde_json::from_slice(&seen.body).unwrap_or(Value::Null);
        match seen.target.as_str() {
            "/api/Account/GenerateToken" => {
                // A blocking wait on purpose: the answer must not come before every caller
                // has queued behind the one sign-in (a busy machine schedules them late).
                std::thread::sleep(self.generate_delay);
                if self.generate_status != 200 {
                    let mut r = Reply::json(self.generate_status, json!({"errorMessage": format!("Слишком часто; password {} refused", body["password"].as_str().unwrap_or(""))}));
                    if let Some(wait) = self.retry_after {
                        r = r.header("Retry-After", wait);
                    }
                    return r;
                }
                if body["userName"] != USER || body["password"] != PASSWORD {
                    return Reply::json(400, json!({"errorMessage": format!("Неверный логин или пароль {}", body["password"].as_str().unwrap_or(""))}));
                }
                Reply::json(200, self.issue())
            }
            "/api/Account/RefreshToken" => {
                let old = body["refreshToken"].as_str().unwrap_or("").to_owned();
                if self.refresh_status != 200 || !self.refresh.remove(&old) {
                    return Reply::json(if self.refresh_status != 200 { self.refresh_status } else { 401 }, json!({"errorMessage": format!("refresh token {old} is not valid")}));
                }
                self.valid.remove(body["accessToken"].as_str().unwrap_or(""));
                Reply::json(200, self.issue())
            }
            "/api/ping" => {
                let token = seen.header("authorization").and_then(|h| h.strip_prefix("Bearer ")).unwrap_or("").to_owned();
                if !self.is_valid(&token) {
                    self.unauthorized += 1;
                    return Reply::json(401, json!({"errorMessage": "Unauthorized"}));
                }
                if self.ping_status != 200 {
                    return Reply::json(self.ping_status, json!({"errorMessage": format!("token {token} may not do this")}));
                }
                Reply::json(200, json!({"ok": true, "token": token}))
            }
            _ => Reply::json(404, json!({"errorMessage": "no such path"})),
        }
    }
}

/// A fake CARGO.RUN: its base URL, its request log and its state.
async fn fake() -> (String, Log, Arc<Mutex<Fake>>) {
    let state = Arc::new(Mutex::new(Fake::default()));
    let s = state.clone();
    let (url, log) = serve(move |seen| s.lock().unwrap().answer(seen)).await;
    (url, log, state)
}

fn count(log: &Log, path: &str) -> usize {
    log.lock().unwrap().iter().filter(|s| s.target == path).count()
}

fn generated(log: &Log) -> usize {
    count(log, "/api/Account/GenerateToken")
}

fn refreshed(log: &Log) -> usize {
    count(log, "/api/Account/RefreshToken")
}

/// The 401s the fake answered on the protected call.
fn unauthorized(state: &Arc<Mutex<Fake>>) -> usize {
    state.lock().unwrap().unauthorized
}

fn client(url: &str, password: &str) -> Client {
    Client::builder(&cargorun::SERVICE).credential("username", USER).credential("password", password).base_url(url).build().unwrap()
}

async fn ping(c: &Client) -> logibridge::Result<Value> {
    c.call_endpoint(&PING, json!({})).await
}

/// The token the fake saw on the last successful `api/ping` answer.
fn token_of(answer: &Value) -> String {
    answer["token"].as_str().unwrap().to_owned()
}

fn serial(token: &str) -> i64 {
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap();
    serde_json::from_slice::<Value>(&payload).unwrap()["n"].as_i64().unwrap()
}

#[tokio::test]
async fn one_generate_token_serves_many_calls_and_every_client_of_the_user() {
    let (url, log, _state) = fake().await;
    let a = client(&url, PASSWORD);
    for _ in 0..5 {
        ping(&a).await.unwrap();
    }
    // Another client object of the same URL, user and password (a 1C session, a Python
    // worker): the same session.
    let b = client(&url, PASSWORD);
    let calls: Vec<_> = (0..10).map(|_| ping(&b)).collect();
    for r in futures_util::future::join_all(calls).await {
        assert_eq!(serial(&token_of(&r.unwrap())), 1);
    }
    assert_eq!((generated(&log), refreshed(&log)), (1, 0));
    // A wrong password never borrows that token: it signs in itself, and is refused.
    let wrong = client(&url, "not-the-password");
    let e = ping(&wrong).await.unwrap_err();
    assert_eq!(e.status(), Some(400), "{e}");
    assert_eq!(generated(&log), 2);
    // ...and its refusal is remembered: no second GenerateToken for it.
    let e = ping(&client(&url, "not-the-password")).await.unwrap_err();
    assert_eq!(e.status(), Some(400), "{e}");
    assert_eq!(generated(&log), 2);
}

/// Sets the `iat` and `exp` of the fake's next tokens, in seconds from now.
fn next_tokens(state: &Arc<Mutex<Fake>>, iat: i64, exp: i64) {
    let mut s = state.lock().unwrap();
    s.iat = iat;
    s.exp = exp;
}

#[tokio::test]
async fn the_expiry_is_read_from_the_jwt_exp_claim() {
    let (url, log, state) = fake().await;
    // A 2-second token: a client that assumed 30 minutes would send it after it expired and
    // meet a 401; one that reads `exp` renews it first.
    next_tokens(&state, 0, 2);
    let c = client(&url, PASSWORD);
    ping(&c).await.unwrap();
    next_tokens(&state, 0, 1800);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let answer = ping(&c).await.unwrap();
    assert_eq!(unauthorized(&state), 0, "the expired token was sent");
    assert_eq!((generated(&log), refreshed(&log)), (1, 1));
    assert_eq!(serial(&token_of(&answer)), 2);
}

#[tokio::test]
async fn a_token_is_renewed_shortly_before_it_expires() {
    let (url, log, state) = fake().await;
    // Lifetime 600 s, 63 s left: its margin is min(600/10, 60) = 60 s, so it is due in
    // about 3 s, while the service would still take it for a minute.
    next_tokens(&state, -537, 63);
    let c = client(&url, PASSWORD);
    ping(&c).await.unwrap();
    assert_eq!(refreshed(&log), 0, "not due yet");
    next_tokens(&state, 0, 1800);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let answer = ping(&c).await.unwrap();
    assert_eq!(serial(&token_of(&answer)), 2, "the call went with the renewed token");
    assert_eq!((generated(&log), refreshed(&log), unauthorized(&state)), (1, 1, 0));
    // A token far from its expiry is not renewed.
    for _ in 0..3 {
        ping(&c).await.unwrap();
    }
    assert_eq!(refreshed(&log), 1);
}

#[tokio::test]
async fn a_401_renews_once_and_the_call_is_repeated_once() {
    let (url, log, state) = fake().await;
    let c = client(&url, PASSWORD);
    ping(&c).await.unwrap();
    // The service forgets every token (the sandbox's "expire all tokens now").
    state.lock().unwrap().valid.clear();
    let answer = ping(&c).await.unwrap();
    assert_eq!(serial(&token_of(&answer)), 2);
    assert_eq!((generated(&log), refreshed(&log), unauthorized(&state)), (1, 1, 1));
    assert_eq!(count(&log, "/api/ping"), 3, "sign-in call, the 401, the repeat");
    // A renewed token that is refused as well: the 401 stands after one renewal.
    let before = (refreshed(&log), count(&log, "/api/ping"));
    let fake_state = state.clone();
    let rejecting = tokio::spawn(async move {
        // Every token the fake issues from now on is refused at once.
        loop {
            fake_state.lock().unwrap().valid.clear();
            tokio::task::yield_now().await;
        }
    });
    let e = ping(&c).await.unwrap_err();
    rejecting.abort();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Auth, Some(401)), "{e}");
    assert_eq!((refreshed(&log) - before.0, count(&log, "/api/ping") - before.1), (1, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_calls_across_an_expiry_cause_one_refresh() {
    // Across a 401: the service dropped the tokens while 100 calls go out.
    let (url, log, state) = fake().await;
    let c = client(&url, PASSWORD);
    ping(&c).await.unwrap();
    state.lock().unwrap().valid.clear();
    let calls: Vec<_> = (0..100).map(|_| tokio::spawn({
        let c = c.clone();
        async move { ping(&c).await }
    })).collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!((generated(&log), refreshed(&log)), (1, 1));

    // Across the `exp` claim: the token has expired when 100 calls start at once.
    let (url, log, state) = fake().await;
    next_tokens(&state, 0, 2);
    let c = client(&url, PASSWORD);
    ping(&c).await.unwrap();
    next_tokens(&state, 0, 1800);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let calls: Vec<_> = (0..100).map(|_| tokio::spawn({
        let c = c.clone();
        async move { ping(&c).await }
    })).collect();
    for call in calls {
        assert_eq!(serial(&token_of(&call.await.unwrap().unwrap())), 2);
    }
    assert_eq!((generated(&log), refreshed(&log), unauthorized(&state)), (1, 1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_refresh_falls_back_to_exactly_one_generate_token() {
    let (url, log, state) = fake().await;
    let c = client(&url, PASSWORD);
    ping(&c).await.unwrap();
    {
        let mut s = state.lock().unwrap();
        s.valid.clear();
        s.refresh_status = 400;
    }
    let calls: Vec<_> = (0..20).map(|_| tokio::spawn({
        let c = c.clone();
        async move { ping(&c).await }
    })).collect();
    for call in calls {
        assert_eq!(serial(&token_of(&call.await.unwrap().unwrap())), 2, "the new sign-in's token");
    }
    assert_eq!((refreshed(&log), generated(&log)), (1, 2));
}

#[tokio::test]
async fn a_429_from_generate_token_is_a_typed_error_and_no_second_is_sent_within_the_cooldown() {
    let (url, log, state) = fake().await;
    {
        let mut s = state.lock().unwrap();
        s.generate_status = 429;
        s.retry_after = Some("120");
    }
    let a = client(&url, PASSWORD);
    let e = ping(&a).await.unwrap_err();
    assert_eq!((e.kind(), e.status(), e.endpoint()), (ErrorKind::RateLimited, Some(429), Some("cargorun.auth.generate_token")), "{e}");
    let wait = match &e {
        logibridge::Error::Http { retry_after: Some(w), .. } => *w,
        other => panic!("no wait: {other:?}"),
    };
    assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120), "{wait:?}");
    assert!(e.message_ru().contains("не отправляется"), "{}", e.message_ru());
    // Another client object of the same URL and user (another 1C session), and the same
    // object again: refused at once with the wait left, nothing sent.
    for c in [client(&url, PASSWORD), a.clone(), client(&url, "another-password")] {
        let e = ping(&c).await.unwrap_err();
        assert_eq!(e.status(), Some(429), "{e}");
        assert!(matches!(e, logibridge::Error::Http { retry_after: Some(w), .. } if w <= wait));
    }
    assert_eq!(generated(&log), 1);
    assert_eq!(count(&log, "/api/ping"), 0);

    // Without Retry-After: the documented default.
    let (url, log, state) = fake().await;
    state.lock().unwrap().generate_status = 429;
    let e = ping(&client(&url, PASSWORD)).await.unwrap_err();
    assert!(matches!(e, logibridge::Error::Http { status: 429, retry_after: Some(w), .. } if w == DEFAULT_GENERATE_COOLDOWN), "{e:?}");
    ping(&client(&url, PASSWORD)).await.unwrap_err();
    assert_eq!(generated(&log), 1);
}

/// A fresh path under the system's temporary directory.
fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("logibridge-cargorun-auth-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("tokens.json")
}

#[cfg(unix)]
#[tokio::test]
async fn a_token_file_open_to_others_is_refused_naming_the_path_and_the_rule() {
    use std::os::unix::fs::PermissionsExt as _;
    let (url, log, _state) = fake().await;
    let path = temp_path("refused");
    std::fs::write(&path, "{}").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = Client::builder(&cargorun::SERVICE).credential("username", USER).credential("password", PASSWORD).base_url(&url).token_file(&path).build().unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("token_file"), "option.token_file"));
    let shown = path.display().to_string();
    assert!(e.to_string().contains(&shown) && e.to_string().contains("600") && e.to_string().contains("644"), "{e}");
    assert!(e.message_ru().contains(&shown) && e.message_ru().contains("только владельцу"), "{}", e.message_ru());
    // Owner-only: accepted. The option is unknown to a service without JWT.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    Client::builder(&cargorun::SERVICE).credential("username", USER).credential("password", PASSWORD).base_url(&url).option("token_file", json!(shown)).build().unwrap();
    let e = Client::builder(&logibridge::endpoints::carreta::SERVICE).credential("api_key", "k").option("token_file", json!(shown)).build().unwrap_err();
    assert_eq!(e.code(), "option.unknown");
    assert_eq!(generated(&log), 0, "building signs nobody in");
}

#[tokio::test]
async fn a_token_file_carries_the_session_across_a_restart() {
    let (url, log, _state) = fake().await;
    let path = temp_path("restart");
    let with_file = || Client::builder(&cargorun::SERVICE).credential("username", USER).credential("password", PASSWORD).base_url(&url).token_file(&path).build().unwrap();
    let first = ping(&with_file()).await.unwrap();
    assert_eq!(generated(&log), 1);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(&token_of(&first)) && !text.contains(PASSWORD), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // "Restart": the process forgets the session; the file brings it back.
    JwtAuth::forget(&url, USER);
    let again = ping(&with_file()).await.unwrap();
    assert_eq!(token_of(&again), token_of(&first));
    assert_eq!(generated(&log), 1, "no second sign-in after the restart");
    // Without the file, the forgotten session signs in again (the hook does restart it).
    JwtAuth::forget(&url, USER);
    ping(&client(&url, PASSWORD)).await.unwrap();
    assert_eq!(generated(&log), 2);
}

/// Every text a caller or a log could see: none may hold the password or a token.
fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    for s in secrets {
        assert!(!text.contains(s.as_str()), "{what} shows a secret ({}…): {text}", &s[..8.min(s.len())]);
    }
    assert!(!text.contains("canary"), "{what} shows a canary: {text}");
}

/// Every secret the fake has handed out, and the password.
fn all_secrets(log: &Log) -> Vec<String> {
    let mut out = vec![PASSWORD.to_owned()];
    for seen in log.lock().unwrap().iter() {
        let body: Value = serde_json::from_slice(&seen.body).unwrap_or(Value::Null);
        for k in ["accessToken", "refreshToken"] {
            out.extend(body[k].as_str().map(str::to_owned));
        }
        out.extend(seen.header("authorization").and_then(|h| h.strip_prefix("Bearer ")).map(str::to_owned));
    }
    out
}

/// Log lines written while a test runs, at every level.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tokens_and_the_password_never_reach_debug_errors_logs_or_a_direct_call() {
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).with_ansi(false).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();

    let (url, log, state) = fake().await;
    let c = client(&url, PASSWORD);
    let answer = ping(&c).await.unwrap();
    let token = token_of(&answer);
    // An error whose body echoes the token (403).
    state.lock().unwrap().ping_status = 403;
    let e = ping(&c).await.unwrap_err();
    assert_eq!(e.status(), Some(403));
    state.lock().unwrap().ping_status = 200;
    // A refused refresh whose body echoes the refresh token, then a sign-in.
    {
        let mut s = state.lock().unwrap();
        s.valid.clear();
        s.refresh_status = 401;
    }
    ping(&c).await.unwrap();
    state.lock().unwrap().refresh_status = 200;
    // A refused sign-in whose body echoes the password.
    let (url2, log2, _) = fake().await;
    let wrong = Client::builder(&cargorun::SERVICE).credential("username", USER).credential("password", "wrong-canary-pass-1").base_url(&url2).build().unwrap();
    let refused = ping(&wrong).await.unwrap_err();
    assert_eq!(refused.status(), Some(400));

    // Through the generic entry, the token rows answer with the tokens masked; the client
    // adopts the new ones and keeps the rest of the answer.
    let generated_before = generated(&log);
    let direct = c.call("cargorun.auth.generate_token", json!({"user_name": USER, "password": PASSWORD})).await.unwrap();
    assert_eq!((direct["accessToken"].as_str(), direct["refreshToken"].as_str()), (Some("***"), Some("***")));
    assert_eq!(direct["currentUser"]["fullName"], "Интеграция");
    assert_eq!(generated(&log), generated_before + 1);
    let after = ping(&c).await.unwrap();
    assert_eq!(serial(&token_of(&after)), state.lock().unwrap().issued as i64, "the client adopted the new token");
    let json_text = c.call_json("cargorun.auth.refresh_token", r#"{"access_token": "***", "refresh_token": "***"}"#).await.unwrap();
    assert!(json_text.contains("\"accessToken\":\"***\""), "{json_text}");
    let after = ping(&c).await.unwrap();
    assert_eq!(serial(&token_of(&after)), state.lock().unwrap().issued as i64, "renewed by the direct refresh");
    assert_eq!(refreshed(&log), 2, "the refused one and the direct one");

    let mut secrets = all_secrets(&log);
    secrets.extend(all_secrets(&log2));
    secrets.push("wrong-canary-pass-1".into());
    assert!(secrets.contains(&token));
    // Every secret the fake saw is in the strategy's list, so anything is scrubbed of it.
    let e_json = e.to_json().to_string();
    for (what, text) in [
        ("Debug of the client", format!("{c:?} {wrong:?}")),
        ("the 403", format!("{e} {e:?} {}", e.message_ru())),
        ("the 403's JSON", e_json),
        ("the refused sign-in", format!("{refused} {refused:?} {} {}", refused.message_ru(), refused.to_json())),
        ("the direct answers", format!("{direct} {json_text}")),
    ] {
        assert_clean(what, &text, &secrets);
    }
    assert!(!lines.0.lock().unwrap().is_empty(), "the subscriber saw the calls");
    assert_clean("the log", &String::from_utf8_lossy(&lines.0.lock().unwrap()), &secrets);
}

// Against the sandbox's CARGO.RUN emulator (its own JWTs, clock, 429 cooldown and call
// counters): each test starts its own sandbox, so each has its own sessions.

use common::control::control;
use logibridge_sandbox::Sandbox;

fn sandbox_client(sb: &Sandbox) -> Client {
    Client::builder(&cargorun::SERVICE).credential("username", sb.cargorun_username()).credential("password", sb.cargorun_password()).base_url(sb.cargorun_url()).build().unwrap()
}

/// The emulator's count of requests per endpoint id.
async fn sandbox_calls(sb: &Sandbox, id: &str) -> u64 {
    control(sb, reqwest::Method::GET, "cargorun/calls", None).await[id].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sandbox_one_sign_in_then_one_refresh_for_a_hundred_calls_after_the_tokens_expire() {
    let sb = Sandbox::start().unwrap();
    let (a, b) = (sandbox_client(&sb), sandbox_client(&sb));
    a.call("cargorun.drivers.list", json!({})).await.unwrap();
    b.call("cargorun.drivers.list", json!({})).await.unwrap();
    assert_eq!(sandbox_calls(&sb, "cargorun.auth.generate_token").await, 1);
    control(&sb, reqwest::Method::POST, "cargorun/tokens/expire", Some(json!({}))).await;
    let calls: Vec<_> = (0..100).map(|i| tokio::spawn({
        let c = if i % 2 == 0 { a.clone() } else { b.clone() };
        async move { c.call("cargorun.drivers.list", json!({})).await }
    })).collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(sandbox_calls(&sb, "cargorun.auth.refresh_token").await, 1);
    assert_eq!(sandbox_calls(&sb, "cargorun.auth.generate_token").await, 1);
}

#[tokio::test]
async fn sandbox_revoked_refresh_tokens_fall_back_to_one_sign_in() {
    let sb = Sandbox::start().unwrap();
    let c = sandbox_client(&sb);
    c.call("cargorun.drivers.list", json!({})).await.unwrap();
    // Past the sign-in cooldown, then every token, refresh tokens included, revoked.
    control(&sb, reqwest::Method::POST, "cargorun/clock", Some(json!({"advance_seconds": 120}))).await;
    control(&sb, reqwest::Method::POST, "cargorun/tokens/expire", Some(json!({"refresh_tokens": true}))).await;
    c.call("cargorun.drivers.list", json!({})).await.unwrap();
    assert_eq!(sandbox_calls(&sb, "cargorun.auth.refresh_token").await, 1);
    assert_eq!(sandbox_calls(&sb, "cargorun.auth.generate_token").await, 2);
}

#[tokio::test]
async fn sandbox_429_cooldown_holds_across_client_objects() {
    let sb = Sandbox::start().unwrap();
    sandbox_client(&sb).call("cargorun.drivers.list", json!({})).await.unwrap();
    // Another process (the registry forgotten) signs in within the emulator's cooldown.
    JwtAuth::forget(&sb.cargorun_url(), sb.cargorun_username());
    let e = sandbox_client(&sb).call("cargorun.drivers.list", json!({})).await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::RateLimited, Some(429)), "{e}");
    assert!(matches!(e, logibridge::Error::Http { retry_after: Some(w), .. } if w > Duration::ZERO && w <= Duration::from_secs(60)), "{e:?}");
    // A third client object of this process: refused without asking.
    let e = sandbox_client(&sb).call("cargorun.drivers.list", json!({})).await.unwrap_err();
    assert_eq!(e.status(), Some(429));
    assert_eq!(sandbox_calls(&sb, "cargorun.auth.generate_token").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn calls_waiting_for_a_sign_in_that_fails_share_its_error_instead_of_sending_another() {
    let (url, log, state) = fake().await;
    {
        let mut s = state.lock().unwrap();
        s.generate_status = 503;
        s.generate_delay = Duration::from_millis(1500);
    }
    let c = client(&url, PASSWORD);
    let calls: Vec<_> = (0..20).map(|_| tokio::spawn({
        let c = c.clone();
        async move { ping(&c).await }
    })).collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap_err().status(), Some(503));
    }
    assert_eq!(generated(&log), 1);
    // A later call (not a waiter) may try again: once.
    {
        let mut s = state.lock().unwrap();
        s.generate_status = 200;
        s.generate_delay = Duration::ZERO;
    }
    ping(&c).await.unwrap();
    assert_eq!(generated(&log), 2);
}

/// The wait a 429 carries.
fn wait_of(e: &logibridge::Error) -> Duration {
    match e {
        logibridge::Error::Http { status: 429, retry_after: Some(w), .. } => *w,
        other => panic!("not a 429 with a wait: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sandbox_a_dead_refresh_token_within_the_sign_in_cooldown_is_sent_once_then_calls_fail_locally() {
    let sb = Sandbox::start().unwrap();
    // A cooldown the test sees end (the default is 60 s), long enough that a loaded machine
    // still makes its thirty calls inside it.
    const COOLDOWN: u64 = 40;
    control(&sb, reqwest::Method::POST, "cargorun/settings", Some(json!({"cooldown_seconds": COOLDOWN}))).await;
    let c = sandbox_client(&sb);
    c.call("cargorun.drivers.list", json!({})).await.unwrap();
    let signed_in = std::time::Instant::now();
    // Within the cooldown, every token, refresh tokens included, revoked.
    control(&sb, reqwest::Method::POST, "cargorun/tokens/expire", Some(json!({"refresh_tokens": true}))).await;
    let calls: Vec<_> = (0..30).map(|_| tokio::spawn({
        let c = c.clone();
        async move { c.call("cargorun.drivers.list", json!({})).await }
    })).collect();
    for call in calls {
        let e = match call.await.unwrap() {
            Err(e) => e,
            Ok(_) => panic!("a call succeeded {:?} after the sign-in: was the cooldown over? calls {}", signed_in.elapsed(), control(&sb, reqwest::Method::GET, "cargorun/calls", None).await),
        };
        assert_eq!((e.kind(), e.status()), (ErrorKind::RateLimited, Some(429)), "{e}");
        assert!(wait_of(&e) > Duration::ZERO && wait_of(&e) <= Duration::from_secs(COOLDOWN), "{e:?}");
    }
    // One shared refresh, refused; one sign-in, refused with the cooldown.
    assert_eq!(sandbox_calls(&sb, "cargorun.auth.refresh_token").await, 1);
    assert_eq!(sandbox_calls(&sb, "cargorun.auth.generate_token").await, 2);
    // A later call fails at once with the wait left, sending nothing.
    let lists = sandbox_calls(&sb, "cargorun.drivers.list").await;
    let e = c.call("cargorun.drivers.list", json!({})).await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::RateLimited, Some(429)), "{e}");
    let left = wait_of(&e);
    assert_eq!(sandbox_calls(&sb, "cargorun.drivers.list").await, lists, "a call went out with the dead token");
    assert_eq!(sandbox_calls(&sb, "cargorun.auth.refresh_token").await, 1);
    assert_eq!(sandbox_calls(&sb, "cargorun.auth.generate_token").await, 2);
    // After the cooldown: exactly one GenerateToken for many calls. The sandbox's clock is
    // moved past its cooldown and the process "restarts" (its own record of the wait, tested
    // above, goes with it), so the test does not sit out the forty seconds.
    assert!(left > Duration::ZERO && left <= Duration::from_secs(COOLDOWN), "{left:?}");
    control(&sb, reqwest::Method::POST, "cargorun/clock", Some(json!({"advance_seconds": COOLDOWN + 1}))).await;
    JwtAuth::forget(&sb.cargorun_url(), sb.cargorun_username());
    let calls: Vec<_> = (0..10).map(|_| tokio::spawn({
        let c = c.clone();
        async move { c.call("cargorun.drivers.list", json!({})).await }
    })).collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(sandbox_calls(&sb, "cargorun.auth.generate_token").await, 3);
    assert_eq!(sandbox_calls(&sb, "cargorun.auth.refresh_token").await, 1);
}

#[tokio::test]
async fn a_token_file_that_is_a_folder_is_refused_as_not_a_regular_file() {
    let (url, _log, _state) = fake().await;
    let path = temp_path("folder");
    std::fs::create_dir(&path).unwrap();
    let e = Client::builder(&cargorun::SERVICE).credential("username", USER).credential("password", PASSWORD).base_url(&url).token_file(&path).build().unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("token_file"), "option.token_file"));
    let shown = path.display().to_string();
    assert!(e.to_string().contains(&shown) && e.to_string().contains("not a regular file") && !e.to_string().contains("chmod"), "{e}");
    assert!(e.message_ru().contains(&shown) && e.message_ru().contains("не обычный файл"), "{}", e.message_ru());
}

#[tokio::test]
async fn a_token_file_whose_folder_does_not_exist_is_refused_when_the_client_is_built() {
    let (url, log, _state) = fake().await;
    let path = temp_path("no-folder").with_file_name("missing").join("tokens.json");
    let e = Client::builder(&cargorun::SERVICE).credential("username", USER).credential("password", PASSWORD).base_url(&url).token_file(&path).build().unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("token_file"), "option.token_file"));
    let shown = path.display().to_string();
    assert!(e.to_string().contains(&shown) && e.to_string().contains("does not exist"), "{e}");
    assert!(e.message_ru().contains(&shown) && e.message_ru().contains("не существует"), "{}", e.message_ru());
    assert_eq!(generated(&log), 0);
}

#[tokio::test]
async fn a_wrong_password_does_not_take_the_token_files_session() {
    let (url, log, _state) = fake().await;
    let path = temp_path("wrong-password");
    let with_file = |password: &str| Client::builder(&cargorun::SERVICE).credential("username", USER).credential("password", password).base_url(&url).token_file(&path).build().unwrap();
    ping(&with_file(PASSWORD)).await.unwrap();
    assert_eq!(generated(&log), 1);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(PASSWORD), "{text}");
    // "Restart" with a wrong password: the file's tokens are not used; it signs in itself
    // and meets the service's refusal.
    JwtAuth::forget(&url, USER);
    let e = ping(&with_file("not-the-password")).await.unwrap_err();
    assert_eq!(e.status(), Some(400), "{e}");
    assert_eq!(generated(&log), 2);
    assert_eq!(count(&log, "/api/ping"), 1, "no call went with the file's token");
    // The right password still takes it.
    JwtAuth::forget(&url, USER);
    ping(&with_file(PASSWORD)).await.unwrap();
    assert_eq!(generated(&log), 2);
}
