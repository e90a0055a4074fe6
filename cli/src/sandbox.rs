//! `logibridge sandbox`: the three emulators in this process until Ctrl-C or SIGTERM, with
//! faults armed through their control API before the URLs are printed.

use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};

use logibridge_sandbox::control::Fault;
use logibridge_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

use crate::args::SandboxArgs;
use crate::call::read_source;
use crate::fail::{Exit, Failure};

/// The faults of one `--faults` value: JSON (an object or a list), `@FILE` with JSON, or
/// `PREFIX=STATUS[xCOUNT]` items separated by commas.
pub fn parse_faults(spec: &str) -> Result<Vec<Fault>, Failure> {
    let spec = spec.trim();
    let bad = |en: String, ru: String| Failure::new(Exit::Usage, format!("--faults: {en}"), format!("--faults: {ru}"));
    let json_text = if let Some(file) = spec.strip_prefix('@') {
        Some(read_source(&format!("@{file}"))?)
    } else if spec.starts_with('{') || spec.starts_with('[') {
        Some(spec.to_owned())
    } else {
        None
    };
    if let Some(text) = json_text {
        let value: Value = serde_json::from_str(&text).map_err(|e| bad(format!("not valid JSON: {e}"), format!("не JSON: {e}")))?;
        let items = match value {
            Value::Array(items) => items,
            one => vec![one],
        };
        // The control API's own type reads them: a misspelt field is refused by name.
        return items.into_iter().map(|v| serde_json::from_value::<Fault>(v).map_err(|e| bad(format!("not a fault: {e}"), format!("не описание сбоя: {e}")))).collect();
    }
    let mut faults = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (prefix, rest) = item.split_once('=').ok_or_else(|| bad(format!("{item:?}: expected PREFIX=STATUS[xCOUNT]"), format!("«{item}»: ожидается ПРЕФИКС=СТАТУС[xКОЛИЧЕСТВО]")))?;
        let (status, count) = rest.split_once('x').unwrap_or((rest, "1"));
        let status: u16 = status.trim().parse().ok().filter(|s| (100..=599).contains(s)).ok_or_else(|| bad(format!("{item:?}: the status must be 100 to 599"), format!("«{item}»: статус должен быть от 100 до 599")))?;
        let count: u32 = count.trim().parse().ok().filter(|c| *c >= 1).ok_or_else(|| bad(format!("{item:?}: the count must be a whole number from 1"), format!("«{item}»: количество должно быть целым числом от 1")))?;
        if !prefix.starts_with('/') {
            return Err(bad(format!("{item:?}: the path prefix must start with /"), format!("«{item}»: префикс пути должен начинаться с /")));
        }
        let fault = serde_json::json!({"path_prefix": prefix.trim(), "status": status, "count": count});
        faults.push(serde_json::from_value(fault).map_err(|e| bad(e.to_string(), e.to_string()))?);
    }
    Ok(faults)
}

pub fn run(a: SandboxArgs) -> Result<(), Failure> {
    let mut faults = Vec::new();
    for spec in &a.faults {
        faults.extend(parse_faults(spec)?);
    }
    let host = a.host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = (host, a.port).to_socket_addrs().map_err(|e| Failure::usage(format!("--host {host:?}: {e}"), format!("--host «{host}»: {e}")))?.collect();
    let config = SandboxConfig { seed: a.seed, ..SandboxConfig::default() };
    let mut first_error = None;
    let mut sandbox = None;
    for addr in addrs {
        match Sandbox::start_on(addr, config.clone()) {
            Ok(s) => {
                sandbox = Some(s);
                break;
            }
            Err(e) => {
                first_error.get_or_insert(format!("cannot listen on {addr}: {e}"));
            }
        }
    }
    let Some(sandbox) = sandbox else {
        let why = first_error.unwrap_or_else(|| "no address".into());
        return Err(Failure::local(why.clone(), format!("не удалось запустить песочницу: {why}")));
    };
    let control = format!("{}_control/faults", sandbox.base_url());
    let http = reqwest::Client::new();
    for fault in &faults {
        logibridge::blocking::runtime()
            .block_on(async { http.post(&control).json(fault).send().await?.error_for_status() })
            .map_err(|e| Failure::local(format!("cannot arm a fault: {e}"), format!("не удалось включить сбой: {e}")))?;
    }
    // The sandbox's own banner first (scripts read it as logibridge-sandbox prints it),
    // then lines for a shell; the credentials are the sandbox's own, printed to be used.
    let text = format!(
        "{}faults armed: {}\n\n\
         export LOGIBRIDGE_CARRETA_URL={} LOGIBRIDGE_CARRETA_API_KEY={}\n\
         export LOGIBRIDGE_IRECA_URL={} LOGIBRIDGE_IRECA_TOKEN={}\n\
         export LOGIBRIDGE_CARGORUN_URL={} LOGIBRIDGE_CARGORUN_USERNAME={} LOGIBRIDGE_CARGORUN_PASSWORD={}\n",
        sandbox.banner(),
        faults.len(),
        sandbox.carreta_url(),
        sandbox.carreta_api_key(),
        sandbox.ireca_url(),
        sandbox.ireca_token(),
        sandbox.cargorun_url(),
        sandbox.cargorun_username(),
        sandbox.cargorun_password(),
    );
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|_| out.flush()).map_err(|e| Failure::local(format!("cannot write to stdout: {e}"), format!("не удалось вывести: {e}")))?;
    drop(out);
    wait_for_signal();
    sandbox.stop();
    Ok(())
}

/// Until Ctrl-C, or SIGTERM on Unix (what process managers and test harnesses send).
pub fn wait_for_signal() {
    logibridge::blocking::runtime().block_on(signal());
}

/// Resolves at Ctrl-C or SIGTERM.
pub async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_short_form_arms_status_and_count() {
        let f = parse_faults("/carreta/v1/search=503x2, /ireca/=500").unwrap();
        assert_eq!((f[0].path_prefix.as_str(), f[0].status, f[0].count), ("/carreta/v1/search", Some(503), 2));
        assert_eq!((f[1].status, f[1].count), (Some(500), 1));
        assert!(parse_faults("carreta=503").is_err());
        assert!(parse_faults("/x=99").is_err());
    }

    #[test]
    fn json_faults_are_read_by_the_control_apis_type() {
        let f = parse_faults(r#"{"path_prefix": "/carreta/v1/order", "drop_answer": true, "method": "POST"}"#).unwrap();
        assert!(f[0].drop_answer);
        let e = parse_faults(r#"{"path_prefix": "/x", "dealy_ms": 5}"#).unwrap_err();
        assert!(e.en.contains("dealy_ms"), "{}", e.en);
    }
}
