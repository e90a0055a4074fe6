#!/usr/bin/env python3
"""Checks dist/LogiBridge.zip as the 1C platform reads a template, and extracts every
library named in MANIFEST.XML so that the host harnesses load the packaged files themselves.

    python3 tests/onec/check_package.py dist/LogiBridge.zip tests/onec/build/pkg
        [--require Linux-x86_64,Windows-x86_64,Windows-i386] [--glibc-max 2.17]

Per library:
- Linux: the five Native API exports, an optimised build (LogiBridgeBuild), and no glibc
  symbol newer than --glibc-max (the oldest distributions 1C servers run: RHEL 7's 2.17).
- Windows: the PE file's machine is the manifest's arch, it exports exactly the five Native
  API functions and LogiBridgeBuild, and it imports system DLLs only (`objdump -p`): no
  mingw runtime (libgcc_s, libwinpthread, libstdc++) that a 1C machine would not have.

Prints "check_package: extracted OS ARCH PATH" for each, and the Linux library's path on its
last line.
"""

import argparse
import ctypes
import os
import re
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from shipped_binaries import ALLOWED_NEEDED, NATIVE_API_EXPORTS, ONEC_WINDOWS_EXPORTS, needed_libraries, pe_imports, pe_problems  # noqa: E402

NS = "{http://v8.1c.ru/8.2/addin/bundle}"
def fail(msg):
    print(f"check_package: FAIL {msg}")
    sys.exit(1)


def ok(msg):
    print(f"check_package: ok   {msg}")


def check_linux(path, name, glibc_max):
    dyn = subprocess.run(["nm", "-D", "--defined-only", path], check=True, capture_output=True, text=True).stdout
    exported = {line.split()[-1] for line in dyn.splitlines() if " T " in line}
    missing = NATIVE_API_EXPORTS - exported
    if missing:
        fail(f"{name} does not export {sorted(missing)}")
    ok(f"{name} exports {', '.join(sorted(NATIVE_API_EXPORTS))}")
    # The shipped library is the optimised release build, never a debug one.
    if "LogiBridgeBuild" not in exported:
        fail(f"{name} does not export LogiBridgeBuild (how it was built)")
    fn = ctypes.CDLL(os.path.abspath(path)).LogiBridgeBuild
    fn.restype = ctypes.c_char_p
    build = dict(kv.split("=", 1) for kv in fn().decode().split(";"))
    if build.get("opt-level") in (None, "0", "?") or build.get("debug-assertions") != "off":
        fail(f"{name} is not an optimised release build: {build}")
    ok(f"{name} is a release build: {build}")
    symbols = subprocess.run(["objdump", "-T", path], check=True, capture_output=True, text=True).stdout
    versions = sorted({tuple(int(x) for x in v.split(".")) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", symbols)})
    if not versions:
        fail(f"{name} names no GLIBC_ symbol version: not a glibc build?")
    newest = versions[-1]
    limit = tuple(int(x) for x in glibc_max.split("."))
    newer = sorted({f"{m.group(2)}@GLIBC_{m.group(1)}" for m in re.finditer(r"GLIBC_(\d+(?:\.\d+)+)\)?\s+(\S+)\s*$", symbols, re.M)
                    if tuple(int(x) for x in m.group(1).split(".")) > limit})
    if newest > limit:
        fail(f"{name} needs GLIBC_{'.'.join(map(str, newest))}, newer than {glibc_max}: {newer[:10]}")
    ok(f"{name} needs glibc {'.'.join(map(str, newest))} at most (limit {glibc_max})")
    extra = [n for n in needed_libraries(path) if n not in ALLOWED_NEEDED]
    if extra:
        fail(f"{name} depends on {extra}: only the C runtime may be needed")
    ok(f"{name} needs the C runtime only")


def check_windows(path, name, arch):
    # The Windows 7 template's DLLs (onec/package.py --windows7) must not need Windows 8+.
    problems = pe_problems(path, arch, ONEC_WINDOWS_EXPORTS, windows7="_windows7_" in name)
    if problems:
        fail(f"{name} (manifest arch {arch}): {'; '.join(problems)}")
    ok(f"{name} is {arch}, exports exactly {', '.join(sorted(ONEC_WINDOWS_EXPORTS))}")
    ok(f"{name} imports system DLLs only: {', '.join(pe_imports(path, arch))}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("zip")
    ap.add_argument("out_dir")
    ap.add_argument("--require", default="Linux-x86_64,Windows-x86_64,Windows-i386", help="components that must be in the manifest")
    ap.add_argument("--glibc-max", default="2.17", help="the newest glibc symbol version the Linux library may need")
    args = ap.parse_args()

    extracted = {}
    with zipfile.ZipFile(args.zip) as z:
        names = set(z.namelist())
        if "MANIFEST.XML" not in names:
            fail("no MANIFEST.XML at the root of the ZIP")
        root = ET.fromstring(z.read("MANIFEST.XML"))
        if root.tag != NS + "bundle":
            fail(f"root element is {root.tag}, not {NS}bundle")
        ok(f"bundle name={root.get('name')!r}")
        os.makedirs(args.out_dir, exist_ok=True)
        for c in root.findall(NS + "component"):
            attrs = {k: c.get(k) for k in ("os", "arch", "type", "path")}
            # MacOS is a valid `os` for the platform, but nothing is built or checked for it here.
            if attrs["type"] != "native" or attrs["os"] not in ("Linux", "Windows") or attrs["arch"] not in ("x86_64", "i386"):
                fail(f"bad component {attrs}")
            if attrs["path"] not in names:
                fail(f"component path {attrs['path']} is not in the ZIP")
            key = f"{attrs['os']}-{attrs['arch']}"
            if key in extracted:
                fail(f"two components for {key}")
            ok(f"component {attrs}")
            target = os.path.join(args.out_dir, os.path.basename(attrs["path"]))
            with open(target, "wb") as f:
                f.write(z.read(attrs["path"]))
            extracted[key] = (target, attrs["path"])
    missing = [k for k in args.require.split(",") if k and k not in extracted]
    if missing:
        fail(f"no component for {', '.join(missing)} in MANIFEST.XML")
    if "Linux-x86_64" not in extracted:
        fail("no Linux x86_64 component")
    for key, (target, name) in sorted(extracted.items()):
        os_name, arch = key.split("-", 1)
        if os_name == "Linux":
            check_linux(target, name, args.glibc_max)
        elif os_name == "Windows":
            check_windows(target, name, arch)
    for key, (target, _) in sorted(extracted.items()):
        print(f"check_package: extracted {key.replace('-', ' ')} {os.path.abspath(target)}")
    print(extracted["Linux-x86_64"][0])


if __name__ == "__main__":
    main()
