//! Sign-in, refresh and the Bearer check (auth.md).
//!
//! The access token is a real-shaped JWT (`header.payload.signature`, base64url without
//! padding, HS256) whose payload holds `sub`, `name`, `jti`, `iat`, `nbf` and `exp` (Unix
//! seconds on the sandbox clock), so a client can read its expiry the way it would read
//! the service's. A token is valid when this sandbox issued it and its expiry (which
//! `tokens/expire` can pull forward) is after now on the sandbox clock.

use std::collections::HashMap;

use axum::http::{header, HeaderMap, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::{Call, CargorunError, Reply};

/// Access token lifetime when none is set: 30 minutes (auth.md §3.1).
pub const DEFAULT_TOKEN_LIFETIME_SECONDS: i64 = 30 * 60;

/// `GenerateToken` cooldown per user when none is set. The pages name the 429 but not the
/// interval (auth.md §3.3); a minute matches "directories at most once a minute".
pub const DEFAULT_COOLDOWN_SECONDS: i64 = 60;

/// The signed-in user's id (the `sub` claim and `currentUser.id`).
pub const USER_ID: u64 = 1;

/// An access token this sandbox issued.
#[derive(Debug, Clone)]
struct Access {
    user: String,
    expires: i64,
}

/// A refresh token not used yet.
#[derive(Debug, Clone)]
struct Refresh {
    user: String,
}

/// Credentials, tokens and their settings.
pub struct Auth {
    username: String,
    password: String,
    /// Lifetime of access tokens issued from now on.
    pub token_lifetime_seconds: i64,
    /// Minimum interval between two `GenerateToken` of one user.
    pub cooldown_seconds: i64,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    last_sign_in: HashMap<String, i64>,
    issued: u64,
    instance: u64,
}

type HmacSha256 = Hmac<Sha256>;

/// The signing key's fixed part; each instance adds a random part, so two sandboxes never
/// issue the same token (and a token is also checked against the issued set).
const KEY: &[u8] = b"logibridge-sandbox-cargorun-signing-key";

/// A random number per call (std's hasher keys are random per `RandomState`).
fn random() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

impl Auth {
    /// Accepting these credentials, with the default lifetime and cooldown.
    pub fn new(username: &str, password: &str) -> Self {
        Auth {
            username: username.to_string(),
            password: password.to_string(),
            token_lifetime_seconds: DEFAULT_TOKEN_LIFETIME_SECONDS,
            cooldown_seconds: DEFAULT_COOLDOWN_SECONDS,
            access: HashMap::new(),
            refresh: HashMap::new(),
            last_sign_in: HashMap::new(),
            issued: 0,
            instance: random(),
        }
    }

    /// The user name the sandbox accepts.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Whether the request carries `Authorization: Bearer <token>` with a token this
    /// sandbox issued that has not expired at `now`.
    pub fn authorized(&self, headers: &HeaderMap, now: DateTime<Utc>) -> bool {
        let Some(value) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let mut parts = value.trim().splitn(2, ' ');
        let scheme = parts.next().unwrap_or("");
        let token = parts.next().unwrap_or("").trim();
        scheme.eq_ignore_ascii_case("bearer")
            && self
                .access
                .get(token)
                .is_some_and(|a| a.expires > now.timestamp())
    }

    /// Every access token expires at `now`; with `refresh_tokens` the refresh tokens are
    /// revoked as well. Answers how many access tokens were still valid.
    pub fn expire_all(&mut self, now: DateTime<Utc>, refresh_tokens: bool) -> usize {
        let now = now.timestamp();
        let mut expired = 0;
        for a in self.access.values_mut() {
            if a.expires > now {
                expired += 1;
                a.expires = now;
            }
        }
        if refresh_tokens {
            self.refresh.clear();
        }
        expired
    }

    /// HS256 under this instance's key, base64url.
    fn sign(&self, input: &[u8]) -> String {
        let mut key = KEY.to_vec();
        key.extend_from_slice(&self.instance.to_le_bytes());
        // A key of any length is accepted by HMAC; the error branch cannot happen.
        let Ok(mut mac) = HmacSha256::new_from_slice(&key) else {
            return String::new();
        };
        mac.update(input);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    fn issue(&mut self, user: &str, now: DateTime<Utc>) -> Value {
        self.issued += 1;
        let iat = now.timestamp();
        let exp = iat + self.token_lifetime_seconds;
        let header = json!({"alg": "HS256", "typ": "JWT"});
        let payload = json!({
            "sub": USER_ID.to_string(),
            "name": user,
            "jti": format!("{:016x}-{}", self.instance, self.issued),
            "iat": iat,
            "nbf": iat,
            "exp": exp,
            "iss": "logibridge-sandbox",
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        );
        let access_token = format!("{signing_input}.{}", self.sign(signing_input.as_bytes()));
        let refresh_token = self.sign(format!("refresh:{}:{iat}", self.issued).as_bytes());
        self.access.insert(
            access_token.clone(),
            Access {
                user: user.to_string(),
                expires: exp,
            },
        );
        self.refresh.insert(
            refresh_token.clone(),
            Refresh {
                user: user.to_string(),
            },
        );
        json!({
            "accessToken": access_token,
            "refreshToken": refresh_token,
            "expiresIn": self.token_lifetime_seconds,
            "currentUser": {
                "id": USER_ID,
                "userName": user,
                "email": user,
                "firstName": "Интеграция",
                "lastName": "Песочница",
                "roles": ["Administrator"],
            },
        })
    }
}

fn text_field(body: &serde_json::Map<String, Value>, name: &str) -> Result<String, CargorunError> {
    match body.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err(CargorunError::bad_request(format!(
            "The {name} field is required."
        ))),
    }
}

/// `cargorun.auth.generate_token`.
pub fn generate_token(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let user = text_field(&body, "userName")?;
    let password = text_field(&body, "password")?;
    let now = call.state.clock.now();
    let auth = &mut call.state.auth;
    // The user name is an e-mail or a phone: compared without regard to case.
    if !user.eq_ignore_ascii_case(&auth.username) || password != auth.password {
        return Err(CargorunError::bad_request(
            "Неверное имя пользователя или пароль.",
        ));
    }
    let key = user.to_lowercase();
    if let Some(last) = auth.last_sign_in.get(&key) {
        let wait = last + auth.cooldown_seconds - now.timestamp();
        if wait > 0 {
            let mut err = CargorunError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Токен запрашивается слишком часто: повторите через {wait} с или обновите токен методом RefreshToken."),
            );
            err.retry_after = Some(wait as u64);
            return Err(err);
        }
    }
    auth.last_sign_in.insert(key, now.timestamp());
    Ok(Reply::Json(auth.issue(&user, now)))
}

/// `cargorun.auth.refresh_token`.
pub fn refresh_token(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let access = text_field(&body, "accessToken")?;
    let refresh = text_field(&body, "refreshToken")?;
    let now = call.state.clock.now();
    let auth = &mut call.state.auth;
    let Some(pair) = auth.refresh.get(&refresh).cloned() else {
        return Err(CargorunError::unauthorized());
    };
    // The access token sent must be one this sandbox issued to the same user (it may have
    // expired: that is the point of refreshing).
    let same_user = auth
        .access
        .get(&access)
        .is_some_and(|a| a.user == pair.user);
    if !same_user {
        return Err(CargorunError::unauthorized());
    }
    auth.refresh.remove(&refresh);
    Ok(Reply::Json(auth.issue(&pair.user, now)))
}
