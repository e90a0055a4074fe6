"""CARGO.RUN's other Swagger operations from Python: the generic ids through ``call``, the
method + path escape hatch ``call_path`` (sync and async), the ``generic_endpoints`` of
``logibridge.endpoints()`` with their ``kind``, checks before sending, and a multipart file.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any, Dict, Iterator, List

import pytest

import logibridge
from logibridge import sandbox


@pytest.fixture
def cr_sb() -> Iterator[sandbox.Sandbox]:
    with sandbox.start() as s:
        yield s


def client(sb: sandbox.Sandbox, **options: Any) -> logibridge.Client:
    return logibridge.Client("cargorun", username=sb.cargorun.username, password=sb.cargorun.password, base_url=sb.cargorun.base_url, **options)


def service() -> Dict[str, Any]:
    (cr,) = [s for s in logibridge.endpoints() if s["prefix"] == "cargorun"]
    return cr


def generic_rows() -> List[Dict[str, Any]]:
    return service()["generic_endpoints"]


def test_endpoints_list_the_generic_rows_apart_with_their_kind() -> None:
    cr = service()
    assert len(cr["endpoints"]) == 74 and {r["kind"] for r in cr["endpoints"]} == {"typed"}
    rows = generic_rows()
    assert len(rows) > 800 and {r["kind"] for r in rows} == {"generic"}
    assert all(r["id"].startswith("cargorun.swagger.") and r["names"]["python"] == "" for r in rows)
    by_id = {r["id"]: r for r in rows}
    tracker = by_id["cargorun.swagger.trackers.get.by_id"]
    assert (tracker["method"], tracker["path"], tracker["tag"], tracker["params"][0]["type"]) == ("GET", "api/Trackers/Get/{id}", "Trackers", "integer")
    assert "cargorun.swagger.bids.get.by_bidid" not in by_id, "a typed row's operation has no second id"
    assert {r["content"] for r in rows} == {"none", "json", "multipart"}
    # The typed class makes no method of a generic row.
    assert not hasattr(logibridge.CargoRun("u", "p"), "swagger")


def sample_params(row: Dict[str, Any]) -> Dict[str, Any]:
    values = {"integer": 1, "bool": False, "decimal": 1.5, "date-time": "2026-01-23T21:00:00+03:00", "date": "2026-01-23"}
    params: Dict[str, Any] = {}
    for p in row["params"]:
        if p["in"] == "path" or (p["in"] == "query" and not p["name"].startswith("$")):
            t = p["type"]
            params[p["name"]] = t.split(":", 1)[1].split("|")[0] if t.startswith("enum:") else values.get(t, "x")
    return params


def test_a_sample_of_generic_get_calls_reaches_the_sandbox(cr_sb: sandbox.Sandbox) -> None:
    rows = [r for r in generic_rows() if r["method"] == "GET"]
    sample = rows[:: len(rows) // 12][:12]
    with client(cr_sb) as c:
        for row in sample:
            c.call(row["id"], sample_params(row))
    calls = cr_sb.cargorun_calls()
    assert all(calls.get(r["id"]) == 1 for r in sample), calls


def test_fifty_generic_operations_across_tags_get_and_post(cr_sb: sandbox.Sandbox) -> None:
    # One operation per tag, GET and JSON POST alternating, path and query parameters filled
    # by their types: 50 of the service's other operations through the generic call.
    chosen: List[Dict[str, Any]] = []
    tags: set = set()
    for row in sorted(generic_rows(), key=lambda r: (r["tag"], r["id"])):
        want = "POST" if len(chosen) % 2 else "GET"
        if row["tag"] in tags or row["method"] != want or row["content"] == "multipart":
            continue
        tags.add(row["tag"])
        chosen.append(row)
        if len(chosen) == 50:
            break
    assert len(chosen) == 50 and {r["method"] for r in chosen} == {"GET", "POST"}
    assert any("{" in r["path"] for r in chosen), "path parameters among them"
    with client(cr_sb) as c:
        for row in chosen:
            params = sample_params(row)
            if row["content"] == "json":
                params["body"] = {}
            c.call(row["id"], params)
    calls = cr_sb.cargorun_calls()
    assert [r["id"] for r in chosen if calls.get(r["id"]) != 1] == []


def test_a_wrong_type_in_a_body_or_a_query_is_refused_before_sending(cr_sb: sandbox.Sandbox) -> None:
    cr_sb.clear_requests()
    with client(cr_sb) as c:
        with pytest.raises(logibridge.ValidationError) as e:
            c.call("cargorun.swagger.trackers.apply", {"body": {"id": "seven", "deviceNumber": "A-1"}})
        assert (e.value.field, e.value.code) == ("body.id", "schema.type")
        assert e.value.message_ru and "целым" in e.value.message_ru
        with pytest.raises(logibridge.ValidationError) as e:
            c.call("cargorun.swagger.trackers.get.by_id", {"id": "seventeen"})
        assert e.value.field == "id"
    assert cr_sb.requests() == [], "nothing was sent, not even a sign-in"


def test_unknown_properties_pass_unless_strict(cr_sb: sandbox.Sandbox) -> None:
    body = {"id": 0, "deviceNumber": "A-1", "colour": "red"}
    with client(cr_sb) as c:
        c.call("cargorun.swagger.trackers.apply", {"body": body})
    with client(cr_sb, strict_schema=True) as strict:
        with pytest.raises(logibridge.ValidationError) as e:
            strict.call("cargorun.swagger.trackers.apply", {"body": body})
        assert (e.value.field, e.value.code) == ("body.colour", "schema.unknown")
    assert cr_sb.cargorun_calls()["cargorun.swagger.trackers.apply"] == 1


def test_call_path_checks_swagger_paths_and_sends_others_as_given(cr_sb: sandbox.Sandbox) -> None:
    with client(cr_sb) as c:
        got = c.call_path("get", "/API/Trackers/Get/17")
        assert isinstance(got, dict) and cr_sb.cargorun_calls()["cargorun.swagger.trackers.get.by_id"] == 1
        with pytest.raises(logibridge.ValidationError) as e:
            c.call_path("POST", "/api/Trackers/Apply", body={"id": "x"})
        assert e.value.field == "body.id"
        with pytest.raises(logibridge.ValidationError) as e:
            c.call_path("HEAD", "/api/Home/Ping")
        assert e.value.field == "method"
        cr_sb.clear_requests()
        with pytest.raises(logibridge.NotFoundError):
            c.call_path("POST", "/api/waybill/Bids/Sign", query={"bidId": 17}, body={"bidId": 17})
        last = cr_sb.requests()[-1]
        assert (last["method"], last["path"], last["query"]) == ("POST", "/cargorun/api/waybill/Bids/Sign", "bidId=17")


def test_call_path_async(cr_sb: sandbox.Sandbox) -> None:
    async def run() -> Any:
        async with logibridge.AsyncClient("cargorun", username=cr_sb.cargorun.username, password=cr_sb.cargorun.password, base_url=cr_sb.cargorun.base_url) as c:
            generic = await c.call("cargorun.swagger.trackers.get.by_id", {"id": 5})
            return generic, await c.call_path("GET", "api/trackers/get/5")

    generic, by_path = asyncio.run(run())
    assert generic == by_path
    assert cr_sb.cargorun_calls()["cargorun.swagger.trackers.get.by_id"] == 2


def test_a_multipart_operation_sends_a_file(cr_sb: sandbox.Sandbox) -> None:
    row = next(r for r in generic_rows() if r["content"] == "multipart" and r["id"] == "cargorun.swagger.accesspermits.apply")
    file = {"filename": "permit.png", "content_type": "image/png", "content_base64": base64.b64encode(b"\x89PNG sandbox").decode()}
    with client(cr_sb) as c:
        c.call(row["id"], {"body": {"Id": 0, "Name": "Пропуск", "RelationType": "Car", "Image": file}})
        with pytest.raises(logibridge.ValidationError) as e:
            c.call(row["id"], {"body": {"Image": "not a file"}})
        assert (e.value.field, e.value.code) == ("body.Image", "schema.format")
    assert cr_sb.cargorun_calls()[row["id"]] == 1
