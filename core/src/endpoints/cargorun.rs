//! CARGO.RUN Logistics 2.0's typed rows (ENDPOINTS.md § CARGO.RUN, revised to the newest
//! pages in `cargorun/latest/`): the two token calls, the directories (drivers, cars,
//! trailers, counterparties with their contracts and points, legal persons, catalogs),
//! bids, distribution bids, trackers, ETRN titles, the geocoder and the organisation's
//! employees.
//!
//! Paths are written as the Swagger spells them (the service ignores case); lists take
//! OData (`$filter`, `$orderby`, `$top` ≤ 50, `$skip`, `$count`) and page 50 at a time with
//! the total in `X-MetaCount`.

use super::types::*;

const S: &str = "cargorun";

/// `cargorun.auth.generate_token` (POST `api/Account/GenerateToken`): signs in with a user
/// name and a password. The service answers 429 when it is called too often (auth.md §3.3):
/// the client calls it once and renews with [`AUTH_REFRESH_TOKEN`].
pub const AUTH_GENERATE_TOKEN: &Endpoint = &Endpoint {
    summary: "Signs in: an access token (30 min) and a refresh token. Not for regular use (429 when called too often).",
    params: &[
        Param::new("user_name", Location::BodyField, Type::String).wire("userName").required().doc("ИмяПользователя", "The user name (auth.md §3.1)."),
        Param::new("password", Location::BodyField, Type::String).required().doc("Пароль", "The password (auth.md §3.1)."),
        Param::new("code", Location::BodyField, Type::String).doc("Код", "A driver's sign-in code; integrations leave it out (auth.md §3.1)."),
    ],
    body: BodyKind::Object,
    auth: false,
    names: FaceNames { python: "auth.generate_token", onec_en: "GenerateToken", onec_ru: "ПолучитьТокен" },
    ..Endpoint::new("cargorun.auth.generate_token", S, Method::Post, "api/Account/GenerateToken")
};

/// `cargorun.auth.refresh_token` (POST `api/Account/RefreshToken`): a new access token for
/// the old one and the refresh token (auth.md §4).
pub const AUTH_REFRESH_TOKEN: &Endpoint = &Endpoint {
    summary: "Renews the access token with the refresh token.",
    params: &[
        Param::new("access_token", Location::BodyField, Type::String).wire("accessToken").required().doc("ТокенДоступа", "The access token that expires (auth.md §4.1)."),
        Param::new("refresh_token", Location::BodyField, Type::String).wire("refreshToken").required().doc("ТокенОбновления", "The refresh token from the sign-in (auth.md §4.1)."),
    ],
    body: BodyKind::Object,
    auth: false,
    names: FaceNames { python: "auth.refresh_token", onec_en: "RefreshToken", onec_ru: "ОбновитьТокен" },
    ..Endpoint::new("cargorun.auth.refresh_token", S, Method::Post, "api/Account/RefreshToken")
};

/// Every row.
pub static ENDPOINTS: &[&Endpoint] = &[AUTH_GENERATE_TOKEN, AUTH_REFRESH_TOKEN];

/// The production base URL of the shared installation; each customer may have its own
/// (`https://api.<customer>.cargorun.ru/`, auth.md §2).
pub const DEFAULT_BASE_URL: &str = "https://api.app.cargorun.ru/";

/// The CARGO.RUN service: a JWT from the user name and password, date-times as
/// `YYYY-MM-DDTHH:mm:ssZ`, errors as plain text (400) or `errorMessage`.
pub static SERVICE: ServiceSpec = ServiceSpec {
    prefix: S,
    name: "CargoRun",
    default_base_url: DEFAULT_BASE_URL,
    auth: AuthSpec::Jwt { username: "username", password: "password", generate: "cargorun.auth.generate_token", refresh: "cargorun.auth.refresh_token" },
    credentials: &[
        Credential { name: "username", onec_en: "Login", onec_ru: "Логин", secret: false, required: true },
        Credential { name: "password", onec_en: "Password", onec_ru: "Пароль", secret: true, required: true },
    ],
    common_params: &[],
    errors: ErrorFormat::keys(&["errorMessage", "message", "error", "title"]),
    dates: DateFormat::Rfc3339Utc,
    endpoints: ENDPOINTS,
};
