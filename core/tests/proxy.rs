//! `NO_PROXY=*` exempts every host, IP literals included, as curl does (issue 10, item 19):
//! a CI behind a proxy must still reach the sandbox on 127.0.0.1. In a test binary of its
//! own: the proxy variables are process-wide.

mod common;

use std::time::Duration;

use common::{serve, Reply};
use serde_json::json;

fn client(url: &str) -> logibridge::Client {
    logibridge::Client::for_service("carreta").unwrap().credential("api_key", "key-1234").base_url(url).max_retries(0).timeout(Duration::from_secs(5)).build().unwrap()
}

fn set_env(vars: &[(&str, Option<&str>)]) {
    for (k, v) in vars {
        // SAFETY: this binary has one test: nothing else reads the environment meanwhile.
        unsafe {
            match v {
                Some(v) => std::env::set_var(k, v),
                None => std::env::remove_var(k),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_proxy_star_exempts_every_host() {
    let profile = || Reply::json(200, json!({"balance": "1.00", "currency": "RUB"}));
    let (service, service_log) = serve(move |_| profile()).await;
    let (proxy, proxy_log) = serve(move |_| profile()).await;
    let (seen_by_service, seen_by_proxy) = (|| service_log.lock().unwrap().len(), || proxy_log.lock().unwrap().len());

    // With a proxy and no exemption, the call to 127.0.0.1 goes through the proxy: the
    // proxy sees the service's absolute URL. (This is what makes the next steps meaningful.)
    set_env(&[("HTTP_PROXY", Some(&proxy)), ("http_proxy", Some(&proxy)), ("NO_PROXY", None), ("no_proxy", None)]);
    client(&service).call_json("carreta.profile.get", "{}").await.unwrap();
    assert_eq!((seen_by_service(), seen_by_proxy()), (0, 1));
    assert!(proxy_log.lock().unwrap()[0].target.starts_with(&service), "{}", proxy_log.lock().unwrap()[0].target);

    // `*` alone, in a list, in either spelling of the variable: straight to the service.
    for (name, value) in [("NO_PROXY", "*"), ("no_proxy", "*"), ("NO_PROXY", "example.com, *")] {
        set_env(&[("NO_PROXY", None), ("no_proxy", None), (name, Some(value))]);
        let before = (seen_by_service(), seen_by_proxy());
        client(&service).call_json("carreta.profile.get", "{}").await.unwrap();
        assert_eq!((seen_by_service(), seen_by_proxy()), (before.0 + 1, before.1), "{name}={value}");
    }
    set_env(&[("HTTP_PROXY", None), ("http_proxy", None), ("NO_PROXY", None), ("no_proxy", None)]);
}
