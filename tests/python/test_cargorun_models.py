"""The generated CARGO.RUN Python models (``logibridge._cargorun_models``, from
``tools/cargorun_gen_py.py``): fresh against the Swagger and the overrides, every committed
response sample decodes to the generator's expectation, every page example of a typed call
decodes keeping every key, and the models' rules (snake_case under wire names, Decimal,
aware UTC datetimes written ``…Z``, ``date``, open enums, unknown fields kept, secrets
hidden), one test each.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List

import pytest

import logibridge
from logibridge import _cargorun_models as models
from logibridge import cargorun

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "cargorun"
SHARED = ROOT.parent / "shared" / "spec" / "cargorun"


def test_the_committed_models_are_what_the_generator_makes_now() -> None:
    if not (SHARED / "swagger.json").exists():
        pytest.skip("../shared/spec/cargorun/swagger.json is absent: the generator's inputs live there")
    spec = importlib.util.spec_from_file_location("cargorun_gen_py", ROOT / "tools" / "cargorun_gen_py.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    sys.modules["cargorun_gen_py"] = gen
    spec.loader.exec_module(gen)
    for path, text in gen.outputs().items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run `make cargorun-models` and commit the result"


def same(got: Any, want: Any, path: str = "") -> List[str]:
    """Where ``got`` (a model's ``to_dict(mode="json")``) differs from ``want``: numbers
    compare by value (a Decimal is written as its text), objects key by key."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected an object, got {got!r}"]
        out = [f"{path}.{k}: missing" for k in want if k not in got]
        out += [f"{path}.{k}: not expected" for k in got if k not in want]
        for k in want:
            if k in got:
                out += same(got[k], want[k], f"{path}.{k}")
        return out
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [f"{path}: expected {want!r}, got {got!r}"]
        return [d for i, (g, w) in enumerate(zip(got, want)) for d in same(g, w, f"{path}[{i}]")]
    if isinstance(want, (int, float)) and not isinstance(want, bool) and isinstance(got, (str, int, float)) and not isinstance(got, bool):
        try:
            return [] if Decimal(str(got)) == Decimal(str(want)) else [f"{path}: expected {want!r}, got {got!r}"]
        except ArithmeticError:
            return [f"{path}: expected {want!r}, got {got!r}"]
    return [] if got == want else [f"{path}: expected {want!r}, got {got!r}"]


def test_every_response_sample_decodes_to_the_generators_expectation() -> None:
    """The samples are written in the service's .NET spellings (digit strings, enum codes,
    seven fractional digits, no zone); the expectation is the documented form."""
    names = json.loads((FIXTURES / "samples" / "index.json").read_text(encoding="utf-8"))
    assert len(names) > 20
    failures = []
    for name in names:
        model = models.MODELS.get(name) or getattr(models, name)
        raw = json.loads((FIXTURES / "samples" / f"{name}.json").read_text(encoding="utf-8"))
        want = json.loads((FIXTURES / "samples" / f"{name}.expect.json").read_text(encoding="utf-8"))
        got = [model.from_wire(x).to_dict(mode="json") for x in raw] if isinstance(raw, list) else model.from_wire(raw).to_dict(mode="json")
        failures += [f"{name}{d}" for d in same(got, want)]
    assert failures == [], "\n".join(failures)


def keys(value: Any) -> Any:
    """The shape of a JSON value: objects' keys, recursively (a ``null`` is as absent: the
    models leave ``None`` out, as the core's do)."""
    if isinstance(value, dict):
        return {k: keys(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [keys(v) for v in value]
    return None


def geojson(value: Any) -> Any:
    """``value`` with each ``{latitude, longitude}`` point written as GeoJSON, as the models
    read it (formats.md §4)."""
    if isinstance(value, dict):
        out = {k: geojson(v) for k, v in value.items()}
        if "latitude" in out and "longitude" in out and "coordinates" not in out:
            out["type"], out["coordinates"] = "Point", [out.pop("longitude"), out.pop("latitude")]
        return out
    if isinstance(value, list):
        return [geojson(v) for v in value]
    return value


def test_every_page_example_decodes_and_keeps_every_key() -> None:
    manifest = json.loads((FIXTURES / "examples" / "manifest.json").read_text(encoding="utf-8"))
    decoded = 0
    for entry in manifest:
        if "file" not in entry or "skip" in entry:
            continue
        model = models.MODELS.get(entry["model"]) or getattr(models, entry["model"])
        body = json.loads((FIXTURES / "examples" / entry["file"]).read_text(encoding="utf-8"))
        for item in body if entry.get("list") else [body]:
            where = f"{entry['page']}:{entry['line']}"
            out = model.from_wire(item).to_dict(mode="json")
            if "expect" in entry:
                assert same(out, entry["expect"]) == [], where
            else:
                assert keys(out) == keys(geojson(item)), where
            decoded += 1
    assert decoded >= 50


def test_attributes_are_snake_case_and_to_dict_gives_the_wire_names() -> None:
    d = cargorun.DriverEditModel(id=0, first_name="Иван", last_name="Петров", phone_number="+79991234567")
    assert d.to_dict() == {"id": 0, "firstName": "Иван", "lastName": "Петров", "phoneNumber": "+79991234567"}
    assert cargorun.DriverEditModel.from_dict(d.to_dict()) == d


def test_money_is_decimal_and_a_float_argument_is_refused() -> None:
    bid = cargorun.BidViewModel.from_dict({"price": 45000.1, "hourlyPrice": "4.25"})
    assert bid.price == Decimal("45000.1") and bid.hourly_price == Decimal("4.25")
    with pytest.raises(logibridge.InvalidArgumentError) as e:
        cargorun.BidPatchModel(price=0.1)
    assert e.value.field == "price"


def test_datetimes_are_aware_utc_written_with_z_and_a_naive_argument_is_refused() -> None:
    p = cargorun.BidPointEditModel(plan_enter_date=datetime(2026, 7, 15, 13, 58, tzinfo=timezone(timedelta(hours=3))))
    assert p.plan_enter_date == datetime(2026, 7, 15, 10, 58, tzinfo=timezone.utc)
    assert p.to_dict(mode="json")["planEnterDate"] == "2026-07-15T10:58:00Z"
    assert cargorun.BidPointEditModel.from_wire({"planEnterDate": "2026-07-15T10:58:00.1234567"}).plan_enter_date == datetime(2026, 7, 15, 10, 58, 0, 123456, tzinfo=timezone.utc)
    for naive in (datetime(2026, 7, 15, 10, 58), "2026-07-15T10:58:00"):
        with pytest.raises(logibridge.InvalidArgumentError) as e:
            cargorun.BidPointEditModel(plan_enter_date=naive)
        assert e.value.field == "plan_enter_date" and e.value.message_ru


def test_from_dict_refuses_a_naive_datetime_naming_its_path_and_only_from_wire_reads_it_as_utc() -> None:
    """A record the caller gives (``from_dict``) is refused as the constructor refuses it;
    what the service wrote (``from_wire``: the client's answers) reads a time without a zone
    as UTC."""
    msk = timezone(timedelta(hours=3))

    def bid(when: Any) -> Dict[str, Any]:
        return {"id": 0, "bidPoints": [{"id": 0, "order": 0, "type": "LoadPoint", "planEnterDate": datetime(2026, 7, 7, 1, 33, tzinfo=msk)},
                                       {"id": 0, "order": 1, "type": "UnloadPoint", "planEnterDate": when}]}

    for naive in (datetime(2026, 7, 7, 4, 33), "2026-07-07T04:33:00", "2026-07-07T04:33:00.1234567", "2026-07-07 04:33"):
        with pytest.raises(logibridge.InvalidArgumentError) as e:
            cargorun.BidTruckingEditModel.from_dict(bid(naive))
        assert (e.value.field, e.value.code) == ("bidPoints[1].planEnterDate", "model.naive_datetime"), naive
        assert "BidTruckingEditModel.bidPoints[1].planEnterDate" in str(e.value) and "zone" in str(e.value) and "пояс" in e.value.message_ru
        assert cargorun.BidTruckingEditModel.from_wire(bid(naive)).bid_points[1].plan_enter_date.replace(microsecond=0) == datetime(2026, 7, 7, 4, 33, tzinfo=timezone.utc)
    with pytest.raises(logibridge.InvalidArgumentError) as e:
        cargorun.BidViewModel.from_dict({"createdAt": "2026-07-13T13:55:04"})
    assert e.value.field == "createdAt"
    for aware in ("2026-07-07T07:33:00+03:00", "2026-07-07T04:33:00Z", datetime(2026, 7, 7, 7, 33, tzinfo=msk)):
        assert cargorun.BidTruckingEditModel.from_dict(bid(aware)).bid_points[1].plan_enter_date == datetime(2026, 7, 7, 4, 33, tzinfo=timezone.utc)


def test_date_only_fields_are_dates() -> None:
    c = cargorun.CounterpartyContractEditModel.from_dict({"date": "2026-06-30"})
    assert c.date == date(2026, 6, 30)
    assert c.to_dict(mode="json") == {"date": "2026-06-30"}


def test_enums_are_open_read_codes_and_keep_unknown_values() -> None:
    assert cargorun.BidPointType(1) is cargorun.BidPointType.LOAD_POINT
    assert cargorun.BidPointType("loadpoint") is cargorun.BidPointType.LOAD_POINT
    assert cargorun.BidStatus("Cancelled") is cargorun.BidStatus.CANCELED, "the pages' spelling (statuses.md)"
    future = cargorun.BidViewModel.from_dict({"status": "Archived"})
    assert future.status is not None and not future.status.is_known
    assert future.to_dict(mode="json") == {"status": "Archived"}


def test_unknown_fields_are_kept_and_sent_back() -> None:
    d = cargorun.DriverEditModel.from_dict({"id": 5, "fieldFromTheFuture": {"kept": True}})
    assert d.extra == {"fieldFromTheFuture": {"kept": True}}
    assert d.to_dict(mode="json") == {"id": 5, "fieldFromTheFuture": {"kept": True}}


def test_secret_fields_are_hidden_in_repr() -> None:
    u = cargorun.UserAddModel(email="a@example.com", password="s3cr3t-pass")
    assert "s3cr3t-pass" not in repr(u) and "password=***" in repr(u)
    assert u.to_dict()["password"] == "s3cr3t-pass"


def test_the_one_nullable_field_writes_null() -> None:
    detach = cargorun.TrackerAttachModel.from_dict({"id": 3, "type": "Car"})
    assert detach.to_dict(mode="json")["entityId"] is None
