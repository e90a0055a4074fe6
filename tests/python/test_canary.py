"""A canary key through every path that once leaked it (issue 10, items 1–5), in the Python
face: what the exception shows (str, repr, every attribute, message_ru, pickled form), what
the logging bridge writes, and what another host receives.

The key holds `+`, `/` and `=`: the characters a URL or a form encodes, so a scrubber that
only removes the literal text misses it.
"""

from __future__ import annotations

import base64
import http.server
import logging
import pickle
import re
import threading
import urllib.parse
from typing import Iterator, List, Tuple

import pytest

import logibridge
from logibridge import sandbox

CANARY = "CANARY+abc/123="


def forms(secret: str) -> List[str]:
    """The key as a server can echo it: literal, percent-encoded (upper/lower, all bytes or
    only the reserved ones), form-encoded, JSON-escaped, base64 and hex."""
    quoted = urllib.parse.quote(secret, safe="")
    all_bytes = "".join(f"%{b:02X}" for b in secret.encode())
    return [
        secret,
        quoted,
        re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quoted),
        all_bytes,
        all_bytes.lower(),
        urllib.parse.quote_plus(secret),
        secret.replace("/", "\\/"),
        secret.replace("+", " "),
        base64.b64encode(secret.encode()).decode(),
        secret.encode().hex(),
        # Mixtures: Python's default quote (leaves `/`), only `/` encoded, encoded twice,
        # JSON's \u escapes, HTML character references.
        urllib.parse.quote(secret),
        secret.replace("/", "%2F"),
        urllib.parse.quote(urllib.parse.quote(secret, safe=""), safe=""),
        "".join(f"\\u{ord(c):04x}" if not c.isalnum() else c for c in secret),
        "".join(f"&#{ord(c)};" if not c.isalnum() else c for c in secret),
    ]


def assert_no_canary(err: BaseException, records: List[logging.LogRecord]) -> None:
    shown = [str(err), repr(err), str(pickle.loads(pickle.dumps(err)))]
    shown += [str(v) for v in vars(err).values()]
    shown += [r.getMessage() for r in records] + [str(vars(r)) for r in records]
    for text in shown:
        for f in forms(CANARY):
            assert f not in text, f"{f!r} in {text!r}"


@pytest.fixture(scope="module")
def canary_sb() -> Iterator[sandbox.Sandbox]:
    with sandbox.start(carreta_api_key=CANARY) as s:
        yield s


@pytest.fixture
def log_records() -> Iterator[List[logging.LogRecord]]:
    records: List[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    logger = logging.getLogger("logibridge")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_every_encoding_of_an_echoed_key_is_scrubbed(canary_sb: sandbox.Sandbox, log_records: List[logging.LogRecord]) -> None:
    echo = " ".join(forms(CANARY))
    canary_sb.add_fault("carreta.profile.get", status=500, body='{"error": "GET /v1/profile/?api_key=%s"}' % echo.replace("\\", "\\\\"))
    with logibridge.Carreta(CANARY, base_url=canary_sb.carreta.base_url, max_retries=0) as shop:
        with pytest.raises(logibridge.ServerError) as info:
            shop.profile.get()
    assert info.value.body  # the body is there, scrubbed — not dropped
    assert_no_canary(info.value, log_records)


def test_a_key_inside_a_value_that_fails_to_decode_is_scrubbed(canary_sb: sandbox.Sandbox, log_records: List[logging.LogRecord]) -> None:
    for f in forms(CANARY):
        body = '{"balance": "x%s", "currency": "RUB"}' % f.replace("\\", "\\\\")
        canary_sb.add_fault("carreta.profile.get", status=200, body=body)
        with logibridge.Carreta(CANARY, base_url=canary_sb.carreta.base_url, max_retries=0) as shop:
            with pytest.raises(logibridge.DecodeError) as info:
                shop.profile.get()
        assert_no_canary(info.value, log_records)


@pytest.mark.parametrize(
    "base_url",
    [f"http://[::1/v1/?api_key={CANARY}", f"http://127.0.0.1:9/v1/?api_key={urllib.parse.quote(CANARY, safe='')}", f"ftp://u:{CANARY}@host/"],
)
def test_a_malformed_base_url_is_never_echoed_with_its_query(base_url: str, log_records: List[logging.LogRecord]) -> None:
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        logibridge.Carreta(CANARY, base_url=base_url)
    assert info.value.field == "base_url"
    assert_no_canary(info.value, log_records)


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every GET with 302 to `location`, or records the request when there is none."""

    location = ""
    seen: List[Tuple[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server protocol
        if self.location:
            self.send_response(302)
            self.send_header("Location", self.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.seen.append((self.path, self.headers.get("Referer") or ""))
            body = b'{"balance": "1.00", "currency": "RUB"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(handler: type) -> Tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def test_a_cross_origin_redirect_sends_nothing_to_the_other_host(log_records: List[logging.LogRecord]) -> None:
    other_handler = type("Other", (_Recorder,), {"location": "", "seen": []})
    other, other_url = _serve(other_handler)
    service_handler = type("Service", (_Recorder,), {"location": other_url + "v1/profile/", "seen": []})
    service, service_url = _serve(service_handler)
    try:
        with logibridge.Carreta(CANARY, base_url=service_url + "v1/", max_retries=0) as shop:
            with pytest.raises(logibridge.LogibridgeError) as info:
                shop.profile.get()
        assert other_handler.seen == [], "the redirect was followed to another origin"
        assert other_url.rstrip("/") in str(info.value), "the error names the redirect's target"
        assert_no_canary(info.value, log_records)
    finally:
        for server in (other, service):
            server.shutdown()
            server.server_close()
