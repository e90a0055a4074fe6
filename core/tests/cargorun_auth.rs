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
    refresh_status: u16,
    retry_after: Option<&'static str>,
    /// The status of `api/ping` for a valid token (a 403 echoes the token: the canary).
    ping_status: u16,
    /// 401s answered on `api/ping`.
    unauthorized: usize,
}

impl Default for Fake {
    fn default() -> Fake {
        Fake { valid: HashSet::new(), refresh: HashSet::new(), issued: 0, iat: 0, exp: 1800, generate_status: 200, refresh_status: 200, retry_after: None, ping_status: 200, unauthorized: 0 }
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
