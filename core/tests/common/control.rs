//! The sandbox's control API (`/_control/`) from tests: faults, the request log, the
//! courier and sessions of the iRECA emulator.

use logibridge_sandbox::Sandbox;
use serde_json::Value;

/// Calls `/_control/<path>`; a failed control call fails the test.
pub async fn control(sb: &Sandbox, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let url = format!("{}_control/{path}", sb.base_url());
    let mut rb = reqwest::Client::new().request(method, url);
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let resp = rb.send().await.unwrap();
    assert!(resp.status().is_success(), "control {path}: {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

/// Arms a fault (`POST /_control/faults`).
pub async fn fault(sb: &Sandbox, spec: Value) {
    control(sb, reqwest::Method::POST, "faults", Some(spec)).await;
}

/// Every request the services saw, oldest first.
pub async fn requests(sb: &Sandbox) -> Vec<Value> {
    control(sb, reqwest::Method::GET, "requests", None).await.as_array().cloned().unwrap_or_default()
}
