//! The OData builder (`logibridge::cargorun::odata`) against the sandbox's evaluator: any
//! text survives rendering, URL encoding and the sandbox's parse as the same value; random
//! filters over random rows select the same rows in the sandbox as in a reference reading
//! of the builder's JSON description; and on the wire, the bytes the transport sends are
//! the form-urlencoded query the request log shows, with the lower-case `$orderby`.

mod common;

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use common::control::{control, requests};
use logibridge::cargorun::odata::{Expr, Field, Literal, Query};
use logibridge::cargorun::{BidStatus, Client, DriverEditModel};
use logibridge_sandbox::cargorun::odata::{self as sandbox_odata, Options};
use logibridge_sandbox::Sandbox;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::cmp::Ordering;

/// The query string the transport writes (`url`'s form encoding, as `transport::send`
/// does), read back by the sandbox as it reads a request.
fn through_the_url(pairs: &[(&str, String)]) -> logibridge_sandbox::cargorun::Query {
    let mut url = url::Url::parse("http://sandbox.test/cargorun/api/Driver/GetList").unwrap();
    url.query_pairs_mut().extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
    logibridge_sandbox::cargorun::Query::parse(url.query())
}

fn tricky_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zЖжё '&#+%=?/\\\\\u{0}-\u{1f}\u{7f}()]{0,24}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text (Unicode, quotes, `& # + % =`, control characters) comes out of the
    /// sandbox's parse as the text that went in.
    #[test]
    fn any_text_literal_survives_rendering_the_url_and_the_sandbox_parse(text in tricky_text()) {
        let filter = Field::new("lastName").eq(text.as_str()).render().unwrap();
        let query = through_the_url(&[("$filter", filter)]);
        let parsed = sandbox_odata::parse_filter(query.get("$filter").unwrap()).unwrap();
        let sandbox_odata::Expr::Compare(left, sandbox_odata::Op::Eq, right) = parsed else { panic!("not a comparison: {parsed:?}") };
        prop_assert_eq!(*left, sandbox_odata::Expr::Property(vec!["lastName".into()]));
        prop_assert_eq!(*right, sandbox_odata::Expr::Literal(sandbox_odata::Literal::Text(text)));
    }
}

// ------------------------------------------------------------------------------- random trees

const STATUSES: [BidStatus; 5] = [BidStatus::New, BidStatus::Planned, BidStatus::Started, BidStatus::Canceled, BidStatus::Done];

/// An instant near 2026-01-23T21:00:00Z in 100 ns ticks, so that many share a millisecond.
fn instant(ticks: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 23, 21, 0, 0).unwrap() + Duration::nanoseconds(ticks * 100)
}

/// The instant as the service might write it: 7 digits, in UTC or at +03:00.
fn stored(ticks: i64, moscow: bool) -> String {
    let t = instant(ticks);
    let seven = |nanos: u32| format!("{:07}", nanos / 100);
    if moscow {
        let t = t.with_timezone(&FixedOffset::east_opt(3 * 3600).unwrap());
        format!("{}.{}+03:00", t.format("%Y-%m-%dT%H:%M:%S"), seven(t.timestamp_subsec_nanos()))
    } else {
        format!("{}.{}Z", t.format("%Y-%m-%dT%H:%M:%S"), seven(t.timestamp_subsec_nanos()))
    }
}

fn ticks() -> impl Strategy<Value = i64> {
    // Within a few milliseconds, with ties.
    prop_oneof![0i64..4, 9_990i64..10_010, 20_000i64..20_003]
}

fn decimal() -> impl Strategy<Value = Decimal> {
    (-300i64..300, 0u32..3).prop_map(|(n, scale)| Decimal::new(n, scale))
}

fn name() -> impl Strategy<Value = String> {
    "[aбЖ' &]{0,3}"
}

fn row() -> impl Strategy<Value = Value> {
    (
        0i64..6,
        proptest::option::weighted(0.8, decimal()),
        proptest::option::weighted(0.8, name()),
        0usize..5,
        (ticks(), any::<bool>()),
        any::<bool>(),
        proptest::option::weighted(0.7, name()),
    )
        .prop_map(|(id, price, name, status, (t, moscow), deleted, car)| {
            // A price is a JSON number, as the service sends it.
            let price = price.map(|d| Value::from(d.to_string().parse::<f64>().unwrap()));
            json!({"id": id, "price": price, "name": name, "status": STATUSES[status].to_string(),
                   "updatedAt": stored(t, moscow), "isDeleted": deleted, "car": car.map(|n| json!({"number": n}))})
        })
}

fn op() -> impl Strategy<Value = usize> {
    0usize..6
}

fn compare(field: &str, op: usize, value: impl Into<Literal>) -> Expr {
    let f = Field::new(field);
    let v = value.into();
    match op {
        0 => f.eq(v),
        1 => f.ne(v),
        2 => f.gt(v),
        3 => f.ge(v),
        4 => f.lt(v),
        _ => f.le(v),
    }
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (op(), 0i64..6).prop_map(|(o, v)| compare("id", o, v)),
        (op(), decimal()).prop_map(|(o, v)| compare("price", o, v)),
        (op(), name()).prop_map(|(o, v)| compare("name", o, v)),
        (op(), 0usize..5).prop_map(|(o, v)| compare("status", o, STATUSES[v].clone())),
        // A date-time given as a chrono value (the fewest digits) or as 7-digit text.
        (op(), ticks(), any::<bool>()).prop_map(|(o, t, text)| if text { compare("updatedAt", o, Literal::datetime(&stored(t, false)).unwrap()) } else { compare("updatedAt", o, instant(t)) }),
        (0usize..2, any::<bool>()).prop_map(|(o, v)| compare("isDeleted", o, v)),
        (op(), name()).prop_map(|(o, v)| compare("car/number", o, v)),
        (0usize..2, prop_oneof![Just("price"), Just("name"), Just("car"), Just("car/number")]).prop_map(|(o, f)| compare(f, o, Literal::NULL)),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a & b),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a | b),
            inner.prop_map(|a| !a),
        ]
    })
}

/// What the description means, read on its own: the reference the sandbox must agree with.
fn reference(e: &Value, row: &Value) -> bool {
    let items = e.as_array().unwrap();
    let args = &items[1..];
    match items[0].as_str().unwrap() {
        "and" => args.iter().all(|a| reference(a, row)),
        "or" => args.iter().any(|a| reference(a, row)),
        "not" => !reference(&args[0], row),
        op => {
            let mut value = row;
            for name in args[0].as_str().unwrap().split('/') {
                value = value.get(name).unwrap_or(&Value::Null);
            }
            let literal = &args[1];
            if value.is_null() || literal.is_null() {
                let both = value.is_null() && literal.is_null();
                return match op {
                    "eq" => both,
                    "ne" => !both,
                    _ => false,
                };
            }
            let ordering: Option<Ordering> = match literal {
                Value::Bool(b) => value.as_bool().map(|v| v.cmp(b)),
                Value::Number(n) => value.as_f64().map(|_| dec(value).cmp(&n.to_string().parse().unwrap())),
                Value::Object(o) => match o.iter().next().unwrap() {
                    (k, Value::String(s)) if k == "text" || k == "enum" => value.as_str().map(|v| v.cmp(s.as_str())),
                    (k, Value::String(s)) if k == "decimal" => value.as_f64().map(|_| dec(value).cmp(&s.parse().unwrap())),
                    (k, Value::String(s)) if k == "datetime" => value.as_str().map(|v| DateTime::parse_from_rfc3339(v).unwrap().cmp(&DateTime::parse_from_rfc3339(s).unwrap())),
                    other => panic!("literal {other:?}"),
                },
                other => panic!("literal {other}"),
            };
            match (op, ordering) {
                ("eq", o) => o == Some(Ordering::Equal),
                ("ne", o) => o != Some(Ordering::Equal),
                (_, None) => false,
                ("gt", Some(o)) => o.is_gt(),
                ("ge", Some(o)) => o.is_ge(),
                ("lt", Some(o)) => o.is_lt(),
                ("le", Some(o)) => o.is_le(),
                other => panic!("{other:?}"),
            }
        }
    }
}

fn dec(v: &Value) -> Decimal {
    v.to_string().parse().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A random filter over random rows: the sandbox, reading the rendered text from the
    /// URL, keeps exactly the rows the description means.
    #[test]
    fn the_sandbox_and_the_builders_description_select_the_same_rows(filter in expr(), rows in proptest::collection::vec(row(), 1..12)) {
        let description = filter.to_json().unwrap();
        let text = filter.render().unwrap();
        let query = through_the_url(&[("$filter", text.clone())]);
        let options = Options::read(|n| query.get(n), false).unwrap_or_else(|e| panic!("{text}: {e}"));
        let (kept, total) = options.apply(rows.clone());
        let expected: Vec<Value> = rows.iter().filter(|r| reference(&description, r)).cloned().collect();
        prop_assert_eq!(total, expected.len(), "{}", text);
        prop_assert_eq!(kept, expected, "{}", text);
    }
}

// ------------------------------------------------------------------------------- the wire

fn driver(last_name: &str, phone: &str) -> DriverEditModel {
    let mut d = DriverEditModel::default();
    d.id = Some(0);
    d.first_name = Some("Тест".into());
    d.last_name = Some(last_name.into());
    d.phone_number = Some(phone.into());
    d
}

/// A typed filter, through the transport, the sandbox's request log and its evaluator: the
/// bytes are the form-urlencoded query written out by hand here, the one driver whose name
/// holds `' & # + %` and Cyrillic is found, and `X-MetaCount` is its count.
#[tokio::test]
async fn a_typed_query_goes_out_as_these_bytes_and_finds_its_row() {
    let sb = Sandbox::start().unwrap();
    let cr = Client::builder(sb.cargorun_username(), sb.cargorun_password()).base_url(sb.cargorun_url()).build().unwrap();
    let tricky = "O'Neil & Sons #1 + 50% Ж";
    let id = cr.drivers().apply(&driver(tricky, "+79990000001")).await.unwrap().unwrap();
    for (i, other) in ["O'Neil", "Sons #1", "50% Ж", "O''Neil & Sons #1 + 50% Ж"].iter().enumerate() {
        cr.drivers().apply(&driver(other, &format!("+7999000001{i}"))).await.unwrap();
    }
    control(&sb, reqwest::Method::DELETE, "requests", None).await;

    let query = Query::new().filter(Field::new("lastName").eq(tricky)).orderby([Field::new("lastName").asc(), Field::new("id").desc()]).count(true);
    let mut pager = cr.drivers().list(query);
    let page = pager.next_page().await.unwrap().unwrap();
    assert_eq!(page.iter().map(|d| d.id).collect::<Vec<_>>(), [Some(id)]);
    assert_eq!(pager.total(), Some(1), "X-MetaCount");

    let log = requests(&sb).await;
    let list = log.iter().find(|r| r["path"].as_str().unwrap().ends_with("GetList")).expect("the list request is logged");
    let raw = list["query"].as_str().unwrap();
    let sent: Vec<&str> = raw.split('&').collect();
    for expected in ["%24filter=lastName+eq+%27O%27%27Neil+%26+Sons+%231+%2B+50%25+%D0%96%27", "%24orderby=lastName%2Cid+desc", "%24count=true", "%24top=50", "%24skip=0"] {
        assert!(sent.contains(&expected), "{expected} in {raw}");
    }
}

/// The JSON description as the row's `query` parameter (what C and 1C send) reaches the
/// service as the same bytes as the typed builder; a wrong one is refused before sending,
/// naming its JSON path.
#[tokio::test]
async fn the_json_description_goes_out_as_the_builders_bytes() {
    let sb = Sandbox::start().unwrap();
    let cr = Client::builder(sb.cargorun_username(), sb.cargorun_password()).base_url(sb.cargorun_url()).build().unwrap();
    let id = cr.drivers().apply(&driver("Петров-Водкин", "+79990000002")).await.unwrap().unwrap();
    let generic = cr.as_client();
    control(&sb, reqwest::Method::DELETE, "requests", None).await;

    let built = Query::new().filter(Field::new("lastName").eq("Петров-Водкин") & Field::new("id").ge(id)).orderby(Field::new("updatedAt").asc()).top(10);
    let by_builder = cr.drivers().page(built.clone()).await.unwrap();
    let description = json!({"filter": ["and", ["eq", "lastName", "Петров-Водкин"], ["ge", "id", id]], "orderby": [["updatedAt", "asc"]], "top": 10});
    let by_description: Value = generic.call("cargorun.drivers.list", json!({"query": description})).await.unwrap();
    assert_eq!(by_builder.iter().map(|d| d.id).collect::<Vec<_>>(), [Some(id)]);
    assert_eq!(by_description.as_array().map(|a| a.iter().map(|d| d["id"].as_i64()).collect::<Vec<_>>()), Some(vec![Some(id)]));
    let log = requests(&sb).await;
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0]["query"], log[1]["query"], "one rendering for both");
    assert_eq!(built.to_json().unwrap()["filter"][1], json!(["eq", "lastName", {"text": "Петров-Водкин"}]));

    let err = generic.call("cargorun.drivers.list", json!({"query": {"filter": ["ge", "updatedAt", {"datetime": "2026-01-23T21:00:00"}]}})).await.unwrap_err();
    assert_eq!(err.field(), Some("query"), "{err}");
    assert!(err.to_string().contains("query.filter[2].datetime") && err.to_string().contains("offset"), "{err}");
    let err = generic.call("cargorun.drivers.list", json!({"filter": "id eq 1", "query": {"filter": ["eq", "id", 1]}})).await.unwrap_err();
    assert!(err.to_string().contains("both given"), "{err}");
    let err = cr.drivers().page(Query::new().filter(Field::new("status").eq(BidStatus::Unknown("Lost".into())))).await.unwrap_err();
    assert!(err.to_string().contains("Lost"), "{err}");
    assert_eq!(requests(&sb).await.len(), 2, "nothing more was sent");
}
