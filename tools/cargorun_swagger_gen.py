#!/usr/bin/env python3
"""CARGO.RUN operation table generator: the whole Swagger -> core/src/cargorun/swagger/table.json.

    python3 tools/cargorun_swagger_gen.py           # writes the table
    python3 tools/cargorun_swagger_gen.py --check   # exit 1 when the committed table is stale

The table is what the core needs of ../shared/spec/cargorun/swagger.json to reach every
operation by its generic id (ENDPOINTS.md § CARGO.RUN: `cargorun.swagger.<segments>`) and
check what is sent: per operation the id, method, path, tag, summary, path and query
parameters with their schemas, the request body's schema and kind (json / multipart) and
the response schema; then the schemas those reach. Pruned:
- the .NET reflection types (`Type` and everything it reaches: `Assembly`, `MethodInfo`,
  `RuntimeTypeHandle`, ...), which the service's serializer leaks into two models; a
  reference to one becomes `{}` (any value, unchecked);
- the schemas no operation reaches;
- keywords the checks do not use (`description`, `required` — not enforced, ENDPOINTS.md —,
  `readOnly`, `deprecated`, `example`, `default`).
`$ref` is kept as the bare schema name. The `/Account/*` paths without `/api/` duplicate
`/api/Account/*` and get no id. Stdlib only; run from the repository root.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SWAGGER = ROOT.parent / "shared" / "spec" / "cargorun" / "swagger.json"
OUT = ROOT / "core" / "src" / "cargorun" / "swagger" / "table.json"

KEEP = ("type", "format", "nullable", "enum", "items", "properties", "additionalProperties", "$ref", "minLength")
METHODS = ("get", "post", "put", "delete", "head", "patch", "options")
REFLECTION_ROOT = "Type"


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def refs(node, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                out.add(ref_name(v))
            else:
                refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)
    return out


def closure(schemas: dict, roots: set[str], stop: set[str] = frozenset()) -> set[str]:
    seen: set[str] = set()
    todo = [r for r in roots if r not in stop]
    while todo:
        n = todo.pop()
        if n in seen or n in stop or n not in schemas:
            continue
        seen.add(n)
        todo.extend(refs(schemas[n], set()))
    return seen


def prune(node, reflection: set[str]):
    """The schema with only the kept keywords; references to reflection types become {}."""
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = ref_name(node["$ref"])
        if name in reflection:
            return {"nullable": True} if node.get("nullable") else {}
        return {"$ref": name}
    out = {}
    for k in KEEP:
        if k not in node:
            continue
        v = node[k]
        if k == "properties":
            out[k] = {p: prune(s, reflection) for p, s in v.items()}
        elif k in ("items", "additionalProperties") and isinstance(v, dict):
            out[k] = prune(v, reflection)
        else:
            out[k] = v
    return out


def generic_id(path: str, both_methods: bool, method: str) -> str | None:
    """ENDPOINTS.md's rule: `/api/Trackers/Get/{id}` -> `cargorun.swagger.trackers.get.by_id`."""
    if not path.lower().startswith("/api/"):
        return None
    segments = []
    for seg in path[len("/api/"):].split("/"):
        for part in re.findall(r"\{[^}]*\}|[^{}()]+", seg):
            if part.startswith("{"):
                segments.append("by_" + part[1:-1].lower())
            else:
                segments.append(part.lower())
    if both_methods:
        segments.append(method)
    return "cargorun.swagger." + ".".join(segments)


def body_of(op: dict, reflection: set[str]):
    rb = op.get("requestBody")
    if not rb:
        return None
    content = rb.get("content", {})
    # One operation takes both urlencoded and multipart forms: multipart carries both.
    for kind, keys in (("json", ("application/json", "text/json", "application/*+json")), ("multipart", ("multipart/form-data",))):
        for k in keys:
            if k in content:
                return {"kind": kind, "schema": prune(content[k].get("schema", {}), reflection)}
    return {"kind": "unsupported:" + ",".join(content), "schema": {}}


def response_of(op: dict, reflection: set[str]):
    ok = op.get("responses", {}).get("200") or {}
    content = ok.get("content") or {}
    for k in ("application/json", "text/json", "text/plain"):
        if k in content and "schema" in content[k]:
            return prune(content[k]["schema"], reflection)
    return None


def build(swagger: dict) -> dict:
    schemas = swagger["components"]["schemas"]
    reflection = closure(schemas, {REFLECTION_ROOT})
    ops = []
    for path, item in swagger["paths"].items():
        methods = [m for m in METHODS if m in item]
        for m in methods:
            gid = generic_id(path, len(methods) > 1, m)
            if gid is None:
                continue
            op = item[m]
            params = [{"name": p["name"], "in": p["in"], "schema": prune(p.get("schema", {}), reflection)} for p in op.get("parameters", [])]
            row = {"id": gid, "method": m.upper(), "path": path, "tag": (op.get("tags") or [""])[0], "summary": op.get("summary", "")}
            if params:
                row["params"] = params
            body = body_of(op, reflection)
            if body:
                row["body"] = body
            response = response_of(op, reflection)
            if response is not None:
                row["response"] = response
            ops.append(row)
    ids = [o["id"] for o in ops]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise SystemExit(f"the id rule collides: {dup[:5]}")
    used = closure(schemas, refs(ops, set()), reflection)
    kept = {n: prune(schemas[n], reflection) for n in sorted(used)}
    return {
        "source": "../shared/spec/cargorun/swagger.json " + swagger.get("info", {}).get("version", ""),
        "pruned": {"reflection": sorted(reflection), "unreachable": len(schemas) - len(reflection) - len(kept)},
        "operations": ops,
        "schemas": kept,
    }


def render(table: dict) -> str:
    # One operation and one schema per line: small diffs, still compact.
    head = {k: v for k, v in table.items() if k not in ("operations", "schemas")}
    lines = ["{" + json.dumps(head, ensure_ascii=False, separators=(",", ":"))[1:-1] + ",", '"operations":[']
    ops = [json.dumps(o, ensure_ascii=False, separators=(",", ":")) for o in table["operations"]]
    lines.append(",\n".join(ops))
    lines.append('],\n"schemas":{')
    lines.append(",\n".join(json.dumps(n, ensure_ascii=False) + ":" + json.dumps(s, ensure_ascii=False, separators=(",", ":")) for n, s in table["schemas"].items()))
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when the committed table differs from the Swagger's")
    args = ap.parse_args()
    if not SWAGGER.exists():
        print(f"{SWAGGER} is absent: nothing to generate", file=sys.stderr)
        return 2
    text = render(build(json.loads(SWAGGER.read_text(encoding="utf-8"))))
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run make cargorun-models", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    t = json.loads(text)
    print(f"{OUT.relative_to(ROOT)}: {len(t['operations'])} operations, {len(t['schemas'])} schemas, {len(text.encode())} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
