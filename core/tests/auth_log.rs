//! A 401 is logged with its status like every other answer, and the auth error carries
//! the (scrubbed) body. In a test binary of its own: tracing's per-callsite interest cache
//! is process-wide, and tests running beside it without a subscriber would make the
//! request span invisible to this test's subscriber.

use std::sync::{Arc, Mutex};

use logibridge::carreta::Client;
use logibridge::{Error, ErrorKind};
use logibridge_sandbox::Sandbox;
use serde_json::json;

#[derive(Clone, Default)]
struct Statuses(Arc<Mutex<Vec<Option<u64>>>>);

struct SpanStatus(Option<u64>);

impl tracing::field::Visit for SpanStatus {
    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        if field.name() == "status" {
            self.0 = Some(value);
        }
    }
    fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
        self.record_u64(field, value as u64);
    }
    fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
}

impl<S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>> tracing_subscriber::Layer<S> for Statuses {
    fn on_new_span(&self, attrs: &tracing::span::Attributes<'_>, id: &tracing::span::Id, ctx: tracing_subscriber::layer::Context<'_, S>) {
        if attrs.metadata().name() == "logibridge.request" {
            ctx.span(id).unwrap().extensions_mut().insert(SpanStatus(None));
        }
    }
    fn on_record(&self, id: &tracing::span::Id, values: &tracing::span::Record<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        if let Some(s) = ctx.span(id).unwrap().extensions_mut().get_mut::<SpanStatus>() {
            values.record(s);
        }
    }
    fn on_close(&self, id: tracing::span::Id, ctx: tracing_subscriber::layer::Context<'_, S>) {
        if let Some(s) = ctx.span(&id).unwrap().extensions().get::<SpanStatus>() {
            self.0.lock().unwrap().push(s.0);
        }
    }
}

#[tokio::test]
async fn a_401_is_logged_with_its_status_and_carries_the_body() {
    use tracing_subscriber::layer::SubscriberExt;
    let sb = Sandbox::start().unwrap();
    let statuses = Statuses::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(statuses.clone()));
    // Other tests of this binary run at the same time without a subscriber and may have
    // cached "not interested" for the request span's callsite: ask again under this one.
    tracing::callsite::rebuild_interest_cache();
    let shop = Client::builder("wrong-key-1234").base_url(sb.carreta_url()).max_retries(0).build().unwrap();
    let err = shop.profile().await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Auth, Some(401)));
    let body = err.body().expect("a 401 carries the service's answer");
    assert!(body.starts_with('{') && body.contains("error"), "{body}");
    assert!(!body.contains("wrong-key-1234"));
    assert_eq!(err.to_json()["body"], json!(body));
    let Error::Auth { body: field, .. } = &err else { panic!("{err:?}") };
    assert_eq!(field, body);
    assert_eq!(*statuses.0.lock().unwrap(), vec![Some(401)], "the attempt is logged with its status");
}
