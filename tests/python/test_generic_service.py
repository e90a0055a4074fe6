"""A service that exists only in this test: declared as data, registered at run time, served
by a tiny HTTP handler, and called through the generic clients (and a typed client written
once for both flavours) with no code of its own in the library."""

from __future__ import annotations

import json
import threading
import urllib.parse
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Optional, Sequence, Union

import pytest

import logibridge
from logibridge._base import AsyncClientBase, ClientBase, F, Resource, SyncClientBase, many, one
from logibridge._base import Async as AsyncFlavour
from logibridge._base import Sync as SyncFlavour

TOKEN = "pytest-svc-token-5be1c0d9"

SERVICE: Dict[str, Any] = {
    "prefix": "pytest_svc",
    "name": "PytestSvc",
    "default_base_url": "http://127.0.0.1:9/api/v2/",
    "auth": {"kind": "bearer", "credential": "token"},
    "credentials": [{"name": "token", "onec_en": "Token", "onec_ru": "Токен"}],
    "error_message_keys": ["error"],
    "endpoints": [
        {
            "id": "pytest_svc.parcels.get",
            "summary": "One parcel.",
            "method": "GET",
            "path": "parcels/{id}",
            "params": [{"name": "id", "in": "path", "type": "integer", "required": True, "min": 1, "doc": "The parcel's id."}],
        },
        {
            "id": "pytest_svc.parcels.list",
            "summary": "Parcels in the given states.",
            "method": "GET",
            "path": "parcels",
            "params": [
                {"name": "status", "in": "query", "type": "enum:new|sent|done", "repeated": True},
                {"name": "limit", "in": "query", "type": "integer", "default": 10, "max": 100},
            ],
            "response": {"envelope": "items", "list": True},
        },
        {
            "id": "pytest_svc.parcels.create",
            "summary": "Sends a parcel.",
            "method": "POST",
            "path": "parcels",
            "params": [
                {"name": "weight", "wire": "weightKg", "in": "body_field", "type": "decimal", "required": True},
                {"name": "recipient", "in": "body_field", "type": "string", "required": True},
                {"name": "fragile", "in": "body_field", "type": "bool"},
            ],
            "response": {"success": [201]},
            "names": {"python": "parcels.send"},
        },
    ],
}


# -- the service ----------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.lock = threading.Lock()

    def take(self) -> List[Dict[str, Any]]:
        with self.lock:
            taken, self.requests = self.requests, []
        return taken


def parcel(id: int, status: str = "new") -> Dict[str, Any]:
    return {"id": id, "status": status, "weight": "1.50"}


def make_handler(recorder: Recorder) -> type:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

        def answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def record(self) -> Dict[str, Any]:
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            seen = {
                "method": self.command,
                "path": url.path,
                "query": urllib.parse.parse_qs(url.query),
                "body": json.loads(raw) if raw else None,
                "authorization": self.headers.get("Authorization"),
            }
            with recorder.lock:
                recorder.requests.append(seen)
            return seen

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen = self.record()
            if seen["authorization"] != f"Bearer {TOKEN}":
                return self.answer(401, {"error": "bad token"})
            path = seen["path"].removeprefix("/api/v2/")
            if path.startswith("parcels/"):
                number = int(path.split("/")[1])
                return self.answer(200, parcel(number)) if number < 1000 else self.answer(404, {"error": "no such parcel"})
            statuses = seen["query"].get("status", ["new"])
            return self.answer(200, {"items": [parcel(i + 1, s) for i, s in enumerate(statuses)], "total": len(statuses)})

        def do_POST(self) -> None:  # noqa: N802
            seen = self.record()
            body = seen["body"] or {}
            self.answer(201, {"id": 77, "status": "new", "weight": body.get("weightKg"), "recipient": body.get("recipient")})

    return Handler


@pytest.fixture(scope="module")
def registered() -> Dict[str, Any]:
    known = {s["prefix"]: s for s in logibridge.endpoints()}
    if "pytest_svc" in known:  # the module ran before in this process
        return known["pytest_svc"]
    return logibridge.register_service(SERVICE)


@pytest.fixture(scope="module")
def server(registered: Dict[str, Any]) -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(recorder))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/api/v2", recorder
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def base_url(server: tuple[str, Recorder]) -> str:
    server[1].take()
    return server[0]


@pytest.fixture
def recorder(server: tuple[str, Recorder]) -> Recorder:
    return server[1]


# -- the generic clients ----------------------------------------------------------------


def test_three_rows_through_the_sync_client(base_url: str, recorder: Recorder) -> None:
    with logibridge.Client("pytest_svc", token=TOKEN, base_url=base_url) as client:
        assert client.call("pytest_svc.parcels.get", {"id": 5}) == parcel(5)
        listed = client.call("pytest_svc.parcels.list", {"status": ["new", "sent"]})
        assert listed == [parcel(1, "new"), parcel(2, "sent")], "the envelope is opened"
        sent = client.call("pytest_svc.parcels.create", {"weight": Decimal("1.50"), "recipient": "Иванов", "fragile": True})
        assert sent == {"id": 77, "status": "new", "weight": "1.50", "recipient": "Иванов"}
    seen = recorder.take()
    assert [(r["method"], r["path"]) for r in seen] == [("GET", "/api/v2/parcels/5"), ("GET", "/api/v2/parcels"), ("POST", "/api/v2/parcels")]
    assert all(r["authorization"] == f"Bearer {TOKEN}" for r in seen)
    assert seen[1]["query"] == {"status": ["new", "sent"], "limit": ["10"]}, "repeated, and the default sent"
    assert seen[2]["body"] == {"weightKg": "1.50", "recipient": "Иванов", "fragile": True}, "wire names in the body"
    assert seen[0]["body"] is None and seen[0]["query"] == {}


def test_rows_by_their_python_names(base_url: str, recorder: Recorder) -> None:
    client = logibridge.Client("pytest_svc", token=TOKEN, base_url=base_url)
    assert client.parcels.get(id=6) == parcel(6)
    assert client.parcels.list(status="done", limit=1) == [parcel(1, "done")]
    assert client.parcels.send(weight="2", recipient="B")["id"] == 77, "named by names.python, not the id"
    assert not hasattr(client.parcels, "create")
    assert [r["query"] for r in recorder.take()][1] == {"status": ["done"], "limit": ["1"]}
    assert (client.parcels.get.__doc__ or "").startswith("``pytest_svc.parcels.get``: One parcel.")
    with pytest.raises(TypeError, match="by name"):
        client.parcels.get(6)


async def test_three_rows_through_the_async_client(base_url: str, recorder: Recorder) -> None:
    async with logibridge.AsyncClient("pytest_svc", token=TOKEN, base_url=base_url) as client:
        assert await client.call("pytest_svc.parcels.get", {"id": 8}) == parcel(8)
        assert await client.parcels.list(status=["sent", "done"]) == [parcel(1, "sent"), parcel(2, "done")]
        sent = await client.parcels.send(weight=3, recipient="C", fragile=False)
        assert sent["weight"] == 3, "a decimal goes as given, never rounded"
    seen = recorder.take()
    assert [(r["method"], r["path"]) for r in seen] == [("GET", "/api/v2/parcels/8"), ("GET", "/api/v2/parcels"), ("POST", "/api/v2/parcels")]
    assert all(r["authorization"] == f"Bearer {TOKEN}" for r in seen)
    assert seen[1]["query"]["status"] == ["sent", "done"]
    assert seen[2]["body"] == {"weightKg": 3, "recipient": "C", "fragile": False}
    assert client.is_closed


def test_unknown_parameter_names_the_field(base_url: str, recorder: Recorder) -> None:
    client = logibridge.Client("pytest_svc", token=TOKEN, base_url=base_url)
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        client.call("pytest_svc.parcels.get", {"id": 5, "idd": 6})
    assert (info.value.field, info.value.code, info.value.endpoint) == ("idd", "param.unknown", "pytest_svc.parcels.get")
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        client.parcels.list(status="lost")
    assert (info.value.field, info.value.code) == ("status", "param.enum")
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        client.parcels.send(weight="heavy", recipient="x")
    assert info.value.field == "weight"
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        client.parcels.get()
    assert (info.value.field, info.value.code) == ("id", "param.required")
    assert recorder.take() == [], "nothing was sent"


def test_options_are_the_cores(base_url: str) -> None:
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        logibridge.Client("pytest_svc", token=TOKEN, tokn="x")
    assert (info.value.field, info.value.code) == ("tokn", "option.unknown")
    assert "token" in str(info.value), "the message lists the options there are"
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        logibridge.Client("pytest_svc", base_url=base_url)
    assert (info.value.field, info.value.code) == ("token", "option.required")
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        logibridge.AsyncClient("pytest_svc", token=TOKEN, timeout=float("inf"))
    assert info.value.field == "timeout"
    with pytest.raises(logibridge.InvalidArgumentError, match="unknown service"):
        logibridge.Client("no_such_svc", token=TOKEN)
    client = logibridge.Client("pytest_svc", token=TOKEN, base_url=base_url, max_retries=0)
    assert client.with_options(max_retries=3).parcels.get(id=1) == parcel(1)
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        client.with_options(base_url="http://elsewhere/")
    assert info.value.code == "option.fixed"


def test_errors_and_secrets(base_url: str) -> None:
    client = logibridge.Client("pytest_svc", token=TOKEN, base_url=base_url)
    with pytest.raises(logibridge.NotFoundError) as info:
        client.parcels.get(id=1234)
    assert (info.value.status, info.value.message, info.value.endpoint) == (404, "no such parcel", "pytest_svc.parcels.get")
    with pytest.raises(logibridge.AuthenticationError):
        logibridge.Client("pytest_svc", token="wrong", base_url=base_url).parcels.get(id=1)
    for text in (repr(client), str(info.value), repr(info.value), repr(client._handle)):
        assert TOKEN not in text
    assert repr(client).startswith("Client('pytest_svc', base_url=")


def test_endpoints_lists_the_registered_service(registered: Dict[str, Any]) -> None:
    (svc,) = [s for s in logibridge.endpoints() if s["prefix"] == "pytest_svc"]
    assert svc == registered
    assert svc["auth"] == {"kind": "bearer", "credential": "token"}
    rows = {r["id"]: r for r in svc["endpoints"]}
    assert set(rows) == {e["id"] for e in SERVICE["endpoints"]}
    (id_param,) = rows["pytest_svc.parcels.get"]["params"]
    assert (id_param["name"], id_param["in"], id_param["type"], id_param["required"], id_param["min"]) == ("id", "path", "integer", True, 1)
    status, limit = rows["pytest_svc.parcels.list"]["params"]
    assert (status["repeated"], status["type"], limit["default"]) == (True, "enum:new|sent|done", 10)
    weight = rows["pytest_svc.parcels.create"]["params"][0]
    assert (weight["name"], weight["wire"], weight["in"]) == ("weight", "weightKg", "body_field")
    assert rows["pytest_svc.parcels.create"]["names"]["python"] == "parcels.send"
    assert rows["pytest_svc.parcels.list"]["names"]["python"] == "parcels.list", "the default: the id's tail"


def test_a_prefix_registers_once(registered: Dict[str, Any]) -> None:
    with pytest.raises(logibridge.InvalidArgumentError, match="already known"):
        logibridge.register_service(SERVICE)
    with pytest.raises(logibridge.InvalidArgumentError, match="unknown parameter type"):
        logibridge.register_service(json.dumps({**SERVICE, "prefix": "pytest_bad", "endpoints": [{**SERVICE["endpoints"][0], "id": "pytest_bad.a.b", "params": [{"name": "x", "in": "query", "type": "float"}]}]}))


# -- a typed client of the registered service, written once for both flavours ------------


class Parcel(logibridge.Model):
    id: int
    status: str
    weight: Decimal


class Parcels(Resource[F]):
    """``pytest_svc.parcels.*``"""

    @one("pytest_svc.parcels.get", Parcel)
    def get(self, id: int) -> None:
        """``pytest_svc.parcels.get``"""

    @many("pytest_svc.parcels.list", Parcel, params=lambda status, limit: {"status": status, "limit": limit})
    def list(self, *status: str, limit: Optional[int] = None) -> None:
        """``pytest_svc.parcels.list``"""


class _Parcels(ClientBase[F]):
    parcels: Parcels[F]

    def __init__(self, token: str, *, base_url: str) -> None:
        self._open("pytest_svc", {"token": token, "base_url": base_url})


class ParcelService(_Parcels[SyncFlavour], SyncClientBase):
    pass


class AsyncParcelService(_Parcels[AsyncFlavour], AsyncClientBase):
    pass


def test_a_typed_client_of_a_registered_service(base_url: str) -> None:
    svc = ParcelService(TOKEN, base_url=base_url)
    assert svc.parcels.get(3) == Parcel(id=3, status="new", weight=Decimal("1.50"))
    assert [p.status for p in svc.parcels.list("sent", "done", limit=2)] == ["sent", "done"]
    # The row nobody declared is still there, by its python name.
    assert svc.parcels.send(weight=1, recipient="x")["id"] == 77
    with pytest.raises(TypeError):
        svc.parcels.get(3, 4)  # type: ignore[call-arg]


async def test_the_same_typed_client_asyncio(base_url: str) -> None:
    async with AsyncParcelService(TOKEN, base_url=base_url) as svc:
        assert (await svc.parcels.get(4)).id == 4
        assert [p.id for p in await svc.parcels.list("new")] == [1]
        assert type(svc.parcels) is type(ParcelService(TOKEN, base_url=base_url).parcels)


def test_a_declaration_the_table_contradicts_is_refused(registered: Dict[str, Any]) -> None:
    class Misnamed(Resource[F]):
        @one("pytest_svc.parcels.create", Parcel)
        def create(self, weight: int, recipient: str) -> None:
            """``pytest_svc.parcels.create``"""

    class WrongShape(Resource[F]):
        @one("pytest_svc.parcels.list", Parcel)
        def list(self) -> None:
            """``pytest_svc.parcels.list``"""

    class WrongParam(Resource[F]):
        @one("pytest_svc.parcels.get", Parcel)
        def get(self, parcel_id: int) -> None:
            """``pytest_svc.parcels.get``"""

    for resource, why in ((Misnamed, "parcels.send"), (WrongShape, "declared one"), (WrongParam, "parcel_id")):

        class Bad(ClientBase[SyncFlavour]):
            parcels: Resource[SyncFlavour]

        Bad.__annotations__["parcels"] = resource
        Bad._declared = None
        bad = object.__new__(Bad)
        bad._handle = logibridge._native.Client("pytest_svc", {"token": TOKEN})
        with pytest.raises(TypeError, match=why):
            bad._attach()


def test_typed_parameters_stay_typed(base_url: str, recorder: Recorder) -> None:
    sequence: Sequence[str] = ("new",)
    value: Union[str, int] = 1
    svc = ParcelService(TOKEN, base_url=base_url)
    svc.parcels.list(*sequence, limit=int(value))
    assert recorder.take()[0]["query"] == {"status": ["new"], "limit": ["1"]}
