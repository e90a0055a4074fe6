#!/usr/bin/env python3
"""CARGO.RUN models generator: Swagger (+ the pages' overrides) -> Rust models.

    python3 tools/cargorun_gen.py            # writes core/src/cargorun/generated.rs and the samples
    python3 tools/cargorun_gen.py --check    # exit 1 when the committed output is stale
    python3 tools/cargorun_gen.py --examples [--check]   # the pages' JSON examples -> fixtures

Stages: parse (swagger.json, cargorun_overrides.toml) -> intermediate representation
(`Struct`, `Enum`, `Field`, `Ty`: no Rust in it) -> emitters (`emit_rust`, `emit_samples`).
Another emitter (Python models) takes the same IR. Stdlib only (Python 3.11).
Run from the repository root; the inputs live in ../shared (not needed to build).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OVERRIDES = ROOT / "tools" / "cargorun_overrides.toml"


# ----------------------------------------------------------------------------- IR
@dataclass
class Ty:
    """A field type. kind: str, i64, i32, dec, bool, datetime, date, json, ref, list."""

    kind: str
    ref: str = ""  # kind == "ref": schema name
    item: "Ty | None" = None  # kind == "list"


@dataclass
class Field:
    wire: str
    ty: Ty
    doc: str
    role: str = ""  # "", phone, secret, point, lon_lat, nullable
    source: str = ""  # an override's source, when one shaped the field


@dataclass
class Struct:
    name: str
    doc: str
    fields: list[Field]
    used_by: list[str] = field(default_factory=list)
    source: str = ""


@dataclass
class Enum:
    name: str
    doc: str
    values: list[str]
    codes: dict[str, int]
    flags: bool = False
    value_docs: dict[str, str] = field(default_factory=dict)
    used_by: list[str] = field(default_factory=list)
    source: str = ""
    aliases: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class IR:
    structs: dict[str, Struct]
    enums: dict[str, Enum]
    aliases: dict[str, str]  # old name -> new name (renamed schemas)
    calls: list[dict]


# ----------------------------------------------------------------------------- parse
def load_overrides() -> dict:
    with open(OVERRIDES, "rb") as f:
        return tomllib.load(f)


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def page_docs(ov: dict) -> dict[tuple[str, str], str]:
    """The newest pages' field tables: (model, wire field) -> the table's description, for
    fields the Swagger leaves undescribed. A table belongs to the model its heading names in
    backticks (`BidForExternalSyncModel`), or to the one `[page_tables]` gives its heading."""
    pages = ROOT / ov["input"]["pages"]
    named = ov.get("page_tables", {}).get("headings", {})
    docs: dict[tuple[str, str], str] = {}
    for page in ov.get("page_tables", {}).get("pages", []):
        head = ""
        for line in (pages / page).read_text(encoding="utf-8").split("\n"):
            if line.startswith("#"):
                head = line.lstrip("#").strip()
            m = re.match(r"\|\s*`([A-Za-z0-9_]+)`\s*\|\s*`[^`]*`\s*\|(.*)\|\s*$", line)
            if not m:
                continue
            model = named.get(f"{page} § {head}")
            if model is None:
                mm = re.search(r"`([A-Z][A-Za-z0-9]+)`", head)
                model = mm.group(1) if mm else None
            if model:
                docs.setdefault((model, m.group(1)), m.group(2).split("|")[-1].strip())
    return docs


def build_ir(swagger: dict, ov: dict) -> IR:
    schemas: dict = swagger["components"]["schemas"]
    inp = ov["input"]
    free = set(inp.get("free_json", [])) | set(inp.get("dangling_as_json", []))
    replaced = {s["replaces"]: s["name"] for s in ov.get("schema", []) if s.get("replaces")}
    renamed = {r["from"]: r["to"] for r in ov.get("rename_schema", [])}
    extra_schemas = {s["name"]: s for s in ov.get("schema", [])}

    def target(name: str) -> str:
        name = replaced.get(name, name)
        return renamed.get(name, name)

    def ty_of(p: dict) -> Ty:
        if "$ref" in p:
            n = ref_name(p["$ref"])
            if n in free or (n not in schemas and n not in extra_schemas):
                return Ty("json")
            return Ty("ref", ref=target(n))
        for k in ("allOf", "oneOf", "anyOf"):
            if k in p and len(p[k]) == 1:
                return ty_of(p[k][0])
        t, f = p.get("type"), p.get("format")
        if t == "string":
            return {"date-time": Ty("datetime"), "date": Ty("date")}.get(f, Ty("str"))
        if t == "integer":
            return Ty("i32" if f == "int32" else "i64")
        if t == "number":
            return Ty("dec")
        if t == "boolean":
            return Ty("bool")
        if t == "array":
            return Ty("list", item=ty_of(p.get("items", {})))
        return Ty("json")  # objects with additionalProperties, untyped values

    def ty_of_page(t: str) -> Ty:
        simple = {"int64": Ty("i64"), "int32": Ty("i32"), "number": Ty("dec"), "boolean": Ty("bool"), "string": Ty("str"),
                  "date-time": Ty("datetime"), "date": Ty("date"), "json": Ty("json")}
        if t in simple:
            return simple[t]
        if t in schemas or t in extra_schemas:
            return Ty("ref", ref=target(t))
        raise SystemExit(f"overrides: unknown type {t!r}")

    # Roots and which call uses each.
    used: dict[str, list[str]] = {}
    for c in inp["calls"]:
        for role in ("request", "response"):
            if c.get(role):
                used.setdefault(target(c[role]), []).append(f"`{c['id']}` ({role}{', a list' if role == 'response' and c.get('list') else ''})")

    adds: dict[str, list[dict]] = {}
    for a in ov.get("add_field", []):
        adds.setdefault(a["model"], []).append(a)
    ren_f = {(r["model"], r["from"]): r for r in ov.get("rename_field", [])}
    rem_f = {(r["model"], r["field"]): r for r in ov.get("remove_field", [])}
    nullable = {(n["model"], n["field"]): n for n in ov.get("nullable", [])}
    phones = set(ov["phones"]["fields"])
    not_phones = set(ov["phones"].get("not_phones", []))
    secrets = set(ov["secrets"]["fields"])
    points = set(ov["points"]["schemas"])
    flags = set(ov["flags"]["enums"])
    codes = {e["enum"]: e for e in ov.get("enum_codes", [])}
    aliases = {e["enum"]: e for e in ov.get("enum_aliases", [])}
    back = {v: k for k, v in renamed.items()}
    pdocs = page_docs(ov)

    structs: dict[str, Struct] = {}
    enums: dict[str, Enum] = {}
    queue = list(used)
    problems: list[str] = []
    while queue:
        name = queue.pop(0)
        if name in structs or name in enums:
            continue
        if name in extra_schemas:
            s = extra_schemas[name]
            if s["kind"] in ("enum", "flags"):
                enums[name] = Enum(name, s["doc"], list(s["values"]), dict(s.get("codes", {})), s["kind"] == "flags", source=s["source"])
                continue
            fields = [Field(f["name"], ty_of_page(f["type"]), f["doc"], source=s["source"]) for f in s["fields"]]
            structs[name] = Struct(name, s["doc"], fields, source=s["source"])
        else:
            sw = schemas[back.get(name, name)]
            if "enum" in sw:
                e = Enum(name, sw.get("description", ""), list(sw["enum"]), {}, name in flags)
                if name in codes:
                    c = codes[name]
                    e.values += [v for v in c.get("add", []) if v not in e.values]
                    e.codes = dict(c["codes"])
                    e.source = c["source"]
                if name in aliases:
                    a = aliases[name]
                    e.aliases = {k: list(v) for k, v in a["aliases"].items()}
                    e.source = "; ".join(x for x in (e.source, a["source"]) if x)
                enums[name] = e
                continue
            fields = []
            for wire, p in sw.get("properties", {}).items():
                key = (name, wire)
                if key in rem_f:
                    continue
                doc = p.get("description", "") or pdocs.get((name, wire), "")
                src = ""
                if key in ren_f:
                    r = ren_f[key]
                    wire, doc, src = r["to"], r.get("doc", doc), r["source"]
                f = Field(wire, ty_of(p), doc, source=src)
                fq = f"{name}.{wire}"
                if fq in phones:
                    f.role = "phone"
                elif fq in secrets:
                    f.role, f.source = "secret", ov["secrets"]["source"]
                elif key in nullable:
                    f.role, f.source = "nullable", nullable[key]["source"]
                elif f.ty.kind == "ref" and f.ty.ref in points:
                    f.role = "point"
                elif name in points and wire == "coordinates":
                    f.role, f.source = "lon_lat", ov["points"]["source"]
                if f.ty.kind == "str" and re.search("phone", wire, re.I) and fq not in phones | not_phones:
                    problems.append(f"{fq}: a phone field not listed in [phones]")
                if re.search("password|token|secret", wire, re.I) and fq not in secrets:
                    problems.append(f"{fq}: a secret field not listed in [secrets]")
                fields.append(f)
            for a in adds.get(name, []):
                fields.append(Field(a["field"], ty_of_page(a["type"]), a["doc"], source=a["source"]))
            structs[name] = Struct(name, sw.get("description", ""), fields)
        for f in structs[name].fields:
            t = f.ty
            while t.kind == "list":
                t = t.item
            if t.kind == "ref":
                queue.append(t.ref)
    if problems:
        raise SystemExit("overrides need review:\n  " + "\n  ".join(problems))
    for n, who in used.items():
        (structs.get(n) or enums[n]).used_by = who
    for e in ov.get("schema", []):  # override enums used by no root are still generated
        if e["kind"] in ("enum", "flags") and e["name"] not in enums:
            enums[e["name"]] = Enum(e["name"], e["doc"], list(e["values"]), dict(e.get("codes", {})), e["kind"] == "flags", source=e["source"])
    for e in enums.values():
        e.value_docs = {v: pdocs[(e.name, v)] for v in e.values if (e.name, v) in pdocs}
    # Which calls reach each schema (for the docs).
    def reach(root: str, seen: set[str]):
        if root in seen:
            return
        seen.add(root)
        if root in structs:
            for f in structs[root].fields:
                t = f.ty
                while t.kind == "list":
                    t = t.item
                if t.kind == "ref":
                    reach(t.ref, seen)
    for n, who in used.items():
        seen: set[str] = set()
        reach(n, seen)
        for s in seen - {n}:
            obj = structs.get(s) or enums.get(s)
            for w in who:
                if w not in obj.used_by and len(obj.used_by) < 6:
                    obj.used_by.append(w)
    return IR(structs, enums, renamed, inp["calls"])


# ----------------------------------------------------------------------------- Rust emitter
KEYWORDS = {"type", "ref", "mod", "match", "move", "loop", "use", "where", "async", "await", "self", "crate", "box", "override",
            "impl", "trait", "struct", "enum", "fn", "let", "static", "const", "in", "for", "if", "else", "while", "return", "as",
            "break", "continue", "dyn", "extern", "false", "true", "pub", "super", "unsafe", "yield", "abstract", "final", "macro",
            "priv", "typeof", "unsized", "virtual", "do", "try", "gen"}


def snake(name: str) -> str:
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"[^A-Za-z0-9_]", "_", s).lower().strip("_")
    if s in KEYWORDS:
        return f"r#{s}"
    if s == "extra":
        return "extra_field"
    return s or "field"


def variant(name: str) -> str:
    v = re.sub(r"[^A-Za-z0-9]", "", name)
    v = v[:1].upper() + v[1:]
    return "Unknown_" if v == "Unknown" else v


def doc_text(text: str) -> str:
    text = " ".join((text or "").replace("\r", " ").split())
    return text.replace("[", "\\[").replace("]", "\\]").replace("<", "&lt;").replace(">", "&gt;")


def rust_ty(t: Ty, ir: IR) -> str:
    k = t.kind
    if k == "ref":
        if t.ref in ir.enums and ir.enums[t.ref].flags:
            return f"wire::Flags<{t.ref}>"
        return t.ref
    if k == "list":
        return f"Vec<{rust_ty(t.item, ir)}>"
    return {"str": "String", "i64": "i64", "i32": "i32", "dec": "Decimal", "bool": "bool", "datetime": "DateTime<Utc>",
            "date": "NaiveDate", "json": "Value"}[k]


ADAPTER = {"i64": "wire::int", "i32": "wire::int", "dec": "wire::decimal", "datetime": "wire::datetime", "date": "wire::date"}
LIST_ADAPTER = {"i64": "wire::ints", "i32": "wire::ints", "dec": "wire::decimals"}


def adapter(f: Field) -> str | None:
    if f.role == "phone":
        return "wire::phone"
    if f.role == "secret":
        return "wire::secret"
    if f.role == "point":
        return "wire::geo_point"
    if f.role == "lon_lat":
        return "wire::lon_lat"
    if f.role == "nullable":
        return {"i64": "wire::nullable_int", "i32": "wire::nullable_int"}.get(f.ty.kind, "wire::nullable")
    t = f.ty
    if t.kind in ADAPTER:
        return ADAPTER[t.kind]
    if t.kind == "list":
        if t.item.kind in LIST_ADAPTER:
            return LIST_ADAPTER[t.item.kind]
        if t.item.kind == "list" and t.item.item.kind == "dec":
            return "wire::decimal_rows"
        if t.item.kind not in ("str", "bool", "json", "ref"):
            raise SystemExit(f"{f.wire}: no wire adapter for a list of {t.item.kind}: add one to core/src/cargorun/wire.rs")
    return None


def field_type(f: Field, ir: IR) -> str:
    if f.role == "secret":
        return "Option<Secret>"
    inner = rust_ty(f.ty, ir)
    if f.role == "nullable":
        return f"Option<Option<{inner}>>"
    return f"Option<{inner}>"


def boxed_fields(ir: IR) -> set[tuple[str, str]]:
    """Fields that close a cycle of direct (non-list) struct references: boxed."""
    boxed = set()
    state: dict[str, int] = {}

    def visit(n: str):
        state[n] = 1
        for f in ir.structs[n].fields:
            if f.ty.kind == "ref" and f.ty.ref in ir.structs:
                m = f.ty.ref
                if state.get(m) == 1:
                    boxed.add((n, f.wire))
                elif m not in state:
                    visit(m)
        state[n] = 2

    for n in sorted(ir.structs):
        if n not in state:
            visit(n)
    return boxed


ROLES = {"phone": "a phone number: `+7XXXXXXXXXX` from callers", "secret": "a secret: `Debug` prints `***`",
         "point": "a point: GeoJSON or `{latitude, longitude}`", "lon_lat": "`[lon, lat]`",
         "nullable": "`Some(None)` sends `null`"}

HEADER = "// @generated by tools/cargorun_gen.py from ../shared/spec/cargorun/swagger.json and tools/cargorun_overrides.toml: do not edit; regenerate with `make cargorun-models`."


def emit_rust(ir: IR) -> str:
    out = [HEADER,
           "//! The models of CARGO.RUN's typed calls, generated from the service's Swagger with the",
           "//! newest pages' corrections (`tools/cargorun_overrides.toml`, each with its source).",
           "//!",
           "//! Every field is optional (the Swagger's `required` lists are not reliable: the pages'",
           "//! required fields are checked by [`super::rules`]); fields the model does not declare are kept",
           "//! in `extra` and written back. Enums are open (`Unknown(raw)`), numbers are decimals read",
           "//! exactly, date-times are read in any ISO 8601 form and written `YYYY-MM-DDTHH:MM:SSZ`: see",
           "//! [`super::wire`].",
           "#![allow(clippy::all)]",
           "",
           "use chrono::{DateTime, NaiveDate, Utc};",
           "use rust_decimal::Decimal;",
           "use serde_json::Value;",
           "",
           "use super::wire;",
           "use crate::transport::Secret;",
           ""]
    boxed = boxed_fields(ir)
    for name in sorted(ir.enums):
        e = ir.enums[name]
        out.append("wire::open_enum! {")
        doc = doc_text(e.doc) or f"The Swagger's enum `{name}`."
        out.append(f"    /// {doc}")
        out.append("    ///")
        flags_note = ' ([Flags]: a set is written `"A, B"`, see [`wire::Flags`])' if e.flags else ''
        codes_note = ' and the documented codes' if e.codes else ''
        out.append(f"    /// Wire name `{name}`{flags_note}. Names are written; names (any case){codes_note} are read.")
        if e.source:
            out.append(f"    /// Source: {doc_text(e.source)}.")
        if e.used_by:
            out.append(f"    /// Used by {', '.join(e.used_by)}.")
        out.append(f"    pub enum {name} {{")
        for v in e.values:
            code = f" = {e.codes[v]}" if v in e.codes else ""
            vdoc = doc_text(e.value_docs.get(v, ""))
            code_note = f", code {e.codes[v]}" if v in e.codes else ""
            also = e.aliases.get(v, [])
            alias_note = "; also read as " + ", ".join(f"`{a}`" for a in also) if also else ""
            out.append(f"        /// {vdoc} (`{v}`{code_note}{alias_note})." if vdoc else f"        /// `{v}`{code_note}{alias_note}.")
            alias_text = "".join(f" | \"{a}\"" for a in also)
            out.append(f"        {variant(v)} => \"{v}\"{alias_text}{code},")
        out.append("    }")
        out.append("}")
        out.append("")
    for name in sorted(ir.structs):
        s = ir.structs[name]
        doc = doc_text(s.doc) or f"The Swagger's model `{name}`."
        out.append(f"/// {doc}")
        out.append("///")
        out.append(f"/// Wire name `{name}`." + (f" Used by {', '.join(s.used_by)}." if s.used_by else ""))
        if s.source:
            out.append(f"/// Source: {doc_text(s.source)}.")
        out.append("#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]")
        out.append(f"pub struct {name} {{")
        seen = set()
        for f in s.fields:
            rname = snake(f.wire)
            while rname in seen:
                rname += "_"
            seen.add(rname)
            d = doc_text(f.doc)
            role = f", {ROLES[f.role]}" if f.role else ""
            out.append(f"    /// {d} (`{f.wire}`{role})." if d else f"    /// `{f.wire}`{role} (undescribed by the Swagger and the pages).")
            if f.source:
                out.append(f"    /// Source: {doc_text(f.source)}.")
            a = adapter(f)
            attrs = f'rename = "{f.wire}", default, skip_serializing_if = "Option::is_none"'
            if a:
                attrs += f', with = "{a}"'
            out.append(f"    #[serde({attrs})]")
            ty = field_type(f, ir)
            if (name, f.wire) in boxed:
                ty = ty.replace("Option<", "Option<Box<", 1) + ">"
            out.append(f"    pub {rname}: {ty},")
        out.append("    /// Fields the model does not declare (a newer service's or page's), kept in arrival order")
        out.append("    /// and written back.")
        out.append("    #[serde(flatten)]")
        out.append("    pub extra: wire::Extra,")
        out.append("}")
        out.append("")
    for old, new in sorted(ir.aliases.items()):
        out.append(f"/// The Swagger's name of [`{new}`] (renamed by the newest pages).")
        out.append(f"pub type {old} = {new};")
        out.append("")
    # The models of the typed calls, by name, as the rows use them.
    roots = sorted({c[r] for c in ir.calls for r in ("request", "response") if c.get(r)})
    out.append("/// The model of each typed call's request or response body, by its name: read and written")
    out.append("/// as the rows do ([`crate::endpoints::Model::exact`]).")
    out.append("pub static MODELS: &[crate::endpoints::Model] = &[")
    for r in roots:
        n = ir.aliases.get(r, r)
        out.append(f"    crate::endpoints::Model::exact::<{n}>(\"{r}\"),")
    out.append("];")
    out.append("")
    return "\n".join(out)


# ----------------------------------------------------------------------------- samples emitter
UNKNOWN_ENUM = "ValueFromTheFuture"


def emit_samples(ir: IR) -> dict[str, tuple[object, object]]:
    """A sample body of each response model in the .NET spellings (7-digit fractions, no
    zone, enum codes, digit strings) and what the model must write back."""
    counter = [0]

    def value(t: Ty, depth: int, path: tuple[str, ...]):
        counter[0] += 1
        n = counter[0]
        k = t.kind
        if k == "str":
            return f"text {n}", f"text {n}"
        if k in ("i64", "i32"):
            return (str(n), n) if n % 3 == 0 else (n, n)
        if k == "dec":
            return (f"{n}.25", float(f"{n}.25")) if n % 4 == 0 else (n * 1000 + 0.5, n * 1000 + 0.5)
        if k == "bool":
            return n % 2 == 0, n % 2 == 0
        if k == "datetime":
            sec = n % 60
            forms = [f"2026-07-13T13:55:{sec:02d}.1234567", f"2026-07-13 13:55:{sec:02d}", f"2026-07-13T16:55:{sec:02d}+03:00", f"2026-07-13T13:55:{sec:02d}Z"]
            return forms[n % 4], f"2026-07-13T13:55:{sec:02d}Z"
        if k == "date":
            return "2026-06-30", "2026-06-30"
        if k == "json":
            return {"free": [1, "two"]}, {"free": [1, "two"]}
        if k == "list":
            a, b = value(t.item, depth, path)
            return [a], [b]
        if k == "ref":
            if t.ref in ir.enums:
                e = ir.enums[t.ref]
                pick = n % 3
                if pick == 0 and e.codes:
                    v = sorted(e.codes)[n % len(e.codes)]
                    wire = e.codes[v]
                    return wire, v
                if pick == 1:
                    return UNKNOWN_ENUM, UNKNOWN_ENUM
                v = e.values[n % len(e.values)]
                if e.flags and len(e.values) > 2:
                    both = f"{e.values[1]}, {e.values[2]}"
                    return both.lower(), both
                return v.lower() if n % 2 else v, v
            s = ir.structs[t.ref]
            if t.ref in path or depth > 6:
                return None, None
            return obj(s, depth + 1, path + (t.ref,))
        raise AssertionError(k)

    def obj(s: Struct, depth: int, path):
        a, b = {}, {}
        for f in s.fields:
            if f.role == "point":
                av = {"latitude": 55.7558, "longitude": 37.6176} if counter[0] % 2 else {"type": "Point", "coordinates": [37.6176, 55.7558]}
                counter[0] += 1
                a[f.wire], b[f.wire] = av, ({"type": "Point", "coordinates": [37.6176, 55.7558]} if f.ty.ref == "Point" else {"type": "Point", "coordinates": [37.6176, 55.7558]})
                continue
            x, y = value(f.ty, depth, path)
            if x is None:
                continue
            if f.role == "nullable":
                pass
            a[f.wire], b[f.wire] = x, y
        a["fieldFromTheFuture"] = {"kept": True}
        b["fieldFromTheFuture"] = {"kept": True}
        return a, b

    out = {}
    for c in ir.calls:
        r = c.get("response")
        if not r or r in out:
            continue
        counter[0] = 0
        a, b = obj(ir.structs[ir.aliases.get(r, r)], 0, (r,))
        out[r] = ([a], [b]) if c.get("list") else (a, b)
    return out


# ----------------------------------------------------------------------------- examples
FIXES = {
    "strip_comments": "`// …` comment lines removed (a placeholder naming the model)",
    "wrap_object": "a `\"key\": value` fragment put in braces",
    "http_body": "the JSON body taken from an HTTP request example (request line and headers dropped)",
    "ellipsis_objects": "`{ ... }` written `{}`",
}


# Not fixes of invalid JSON: the JSON sits inside an HTTP example or is a fragment.
EXTRACTIONS = {"http_body", "wrap_object"}


def code_blocks(text: str):
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"```(\w*)\s*$", lines[i])
        if m:
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            yield i + 1, m.group(1), "\n".join(lines[i + 1:j])
            i = j
        i += 1


def section_of(text: str, line: int) -> str:
    head = ""
    for n, l in enumerate(text.split("\n"), 1):
        if n >= line:
            break
        if l.startswith("#"):
            head = l.lstrip("#").strip()
    return head


def apply_fix(body: str, fix: str | None) -> str:
    if fix == "strip_comments":
        return "\n".join(l for l in body.split("\n") if not l.strip().startswith("//"))
    if fix == "wrap_object":
        return "{\n" + body + "\n}"
    if fix == "http_body":
        return body.split("\n\n", 1)[1]
    if fix == "ellipsis_objects":
        return body.replace("{ ... }", "{}")
    return body


def extract_examples(ov: dict, pages: Path) -> dict[str, str]:
    """Fixture files (name -> text) for the pages' JSON examples, with manifest.json."""
    entries = {(e["page"], e["line"]): e for e in ov["example"]}
    files: dict[str, str] = {}
    manifest = []
    found = set()
    for md in sorted(pages.rglob("*.md")):
        rel = md.relative_to(pages).as_posix()
        text = md.read_text(encoding="utf-8")
        for line, lang, body in code_blocks(text):
            b = body.strip()
            candidate = (lang in ("json", "") and b[:1] in '{["') or (lang == "http" and "\n\n" in b and "{" in b) \
                or (lang == "" and b.startswith("POST") and "{" in b)
            if not candidate:
                continue
            e = entries.get((rel, line))
            if e is None:
                raise SystemExit(f"{rel}:{line}: a JSON example the overrides do not place ([[example]] page/line)")
            found.add((rel, line))
            item = {"page": rel, "line": line, "section": section_of(text, line)}
            if e.get("skip") and not e.get("fix"):
                item["skip"] = e["skip"]
                manifest.append(item)
                continue
            fixed = apply_fix(body, e.get("fix"))
            try:
                json.loads(fixed)
            except json.JSONDecodeError as err:
                if e.get("skip"):
                    item["skip"] = e["skip"]
                    manifest.append(item)
                    continue
                raise SystemExit(f"{rel}:{line}: not JSON after fix {e.get('fix')!r}: {err}")
            try:
                json.loads(body)
                valid = True
            except json.JSONDecodeError:
                valid = False
            if e.get("fix") and e["fix"] not in EXTRACTIONS and valid:
                raise SystemExit(f"{rel}:{line}: fix {e['fix']!r} recorded for valid JSON")
            if not e.get("fix") and not valid:
                raise SystemExit(f"{rel}:{line}: not valid JSON and no fix recorded")
            name = re.sub(r"[^a-z0-9]+", "-", rel.lower().removesuffix(".md")).strip("-") + f"-L{line}.json"
            files[f"examples/{name}"] = fixed.rstrip() + "\n"
            item["file"] = name
            if e.get("model"):
                item["model"] = e["model"]
                item["list"] = bool(e.get("list"))
            else:
                item["skip"] = e["skip"]
            if e.get("fix") in EXTRACTIONS:
                item["extracted"] = FIXES[e["fix"]]
            elif e.get("fix"):
                item["fix"] = FIXES[e["fix"]]
                item["valid_as_written"] = False
            if e.get("expect"):
                item["expect"] = json.loads(e["expect"])
            if e.get("note"):
                item["note"] = e["note"]
            manifest.append(item)
    missing = set(entries) - found
    if missing:
        raise SystemExit(f"[[example]] entries with no block in the pages: {sorted(missing)}")
    files["examples/manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    return files


# ----------------------------------------------------------------------------- main
def outputs(ov: dict) -> dict[Path, str]:
    swagger = json.loads((ROOT / ov["input"]["swagger"]).read_text(encoding="utf-8"))
    ir = build_ir(swagger, ov)
    files = {ROOT / ov["input"]["output"]: emit_rust(ir)}
    fx = ROOT / ov["input"]["fixtures"] / "samples"
    samples = emit_samples(ir)
    index = []
    for name, (body, expect) in sorted(samples.items()):
        files[fx / f"{name}.json"] = json.dumps(body, ensure_ascii=False, indent=1) + "\n"
        files[fx / f"{name}.expect.json"] = json.dumps(expect, ensure_ascii=False, indent=1) + "\n"
        index.append(name)
    files[fx / "index.json"] = json.dumps(index, indent=1) + "\n"
    return files


def write_or_check(files: dict[Path, str], check: bool, hint: str) -> int:
    stale = [p for p, t in files.items() if not p.exists() or p.read_text(encoding="utf-8") != t]
    if check:
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)} (regenerate: {hint})", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(files[p], encoding="utf-8")
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="exit 1 when the committed output differs")
    ap.add_argument("--examples", action="store_true", help="the pages' JSON examples -> tests/fixtures/cargorun/examples")
    args = ap.parse_args()
    ov = load_overrides()
    if args.examples:
        pages = ROOT / ov["input"]["pages"]
        files = {ROOT / ov["input"]["fixtures"] / k: v for k, v in extract_examples(ov, pages).items()}
        return write_or_check(files, args.check, "python3 tools/cargorun_gen.py --examples")
    return write_or_check(outputs(ov), args.check, "make cargorun-models")


if __name__ == "__main__":
    sys.exit(main())
