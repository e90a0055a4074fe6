#!/usr/bin/env python3
"""Builds dist/LogiBridge.zip: the 1C configuration template of the component.

    python3 onec/package.py --so target/onec/liblogibridge_1c.so [--dll path.dll] [--out dist/LogiBridge.zip]

`make onec-package` builds the library with the optimised profile `onec` (mk/onec.mk).

The ZIP holds MANIFEST.XML (a `bundle` with one `component` per platform) and the
libraries. Load it in 1C from a common template of type "Внешняя компонента":
ПодключитьВнешнююКомпоненту("ОбщийМакет.LogiBridge", "LogiBridge", ТипВнешнейКомпоненты.Native).

The Linux library's glibc baseline (the highest GLIBC_x.y symbol version it needs) and its
dynamic dependencies are printed, and the build fails if it depends on anything beyond the
C runtime (everything else must be linked statically).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from xml.sax.saxutils import quoteattr

BUNDLE = "LogiBridge"
LINUX_NAME = "liblogibridge_1c_linux_x86_64.so"
WINDOWS_NAME = "logibridge_1c_windows_x86_64.dll"
# The C runtime every Linux host has; anything else would have to be installed next to 1C.
ALLOWED_NEEDED = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "librt.so.1"}


def needed_libraries(path):
    out = subprocess.run(["objdump", "-p", path], check=True, capture_output=True, text=True).stdout
    return re.findall(r"^\s*NEEDED\s+(\S+)", out, re.M)


def glibc_baseline(path):
    out = subprocess.run(["objdump", "-T", path], check=True, capture_output=True, text=True).stdout
    versions = {tuple(int(x) for x in v.split(".")) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", out)}
    return ".".join(map(str, max(versions))) if versions else "none"


def manifest(components):
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<bundle xmlns="http://v8.1c.ru/8.2/addin/bundle" name={quoteattr(BUNDLE)}>']
    for os_name, arch, path in components:
        lines.append(f"  <component os={quoteattr(os_name)} path={quoteattr(path)} type=\"native\" arch={quoteattr(arch)}/>")
    lines.append("</bundle>")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--so", required=True, help="the Linux x86_64 component (liblogibridge_1c.so)")
    ap.add_argument("--dll", help="a Windows x86_64 build of the component, when one exists")
    ap.add_argument("--out", default="dist/LogiBridge.zip")
    ap.add_argument("--no-strip", action="store_true", help="keep debug information in the packaged library")
    args = ap.parse_args()

    needed = needed_libraries(args.so)
    extra = [n for n in needed if n not in ALLOWED_NEEDED]
    if extra:
        sys.exit(f"package: {args.so} depends on {extra}: link them statically")
    baseline = glibc_baseline(args.so)

    components = [("Linux", "x86_64", LINUX_NAME)]
    with tempfile.TemporaryDirectory() as tmp:
        so = os.path.join(tmp, LINUX_NAME)
        shutil.copyfile(args.so, so)
        if not args.no_strip and shutil.which("strip"):
            # Debug sections only: symbols stay, so crash reports remain readable.
            subprocess.run(["strip", "--strip-debug", so], check=True)
        files = [(so, LINUX_NAME)]
        if args.dll:
            components.append(("Windows", "x86_64", WINDOWS_NAME))
            files.append((args.dll, WINDOWS_NAME))

        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        tmp_zip = args.out + ".tmp"
        with zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("MANIFEST.XML", manifest(components))
            for src, name in files:
                z.write(src, name)
        os.replace(tmp_zip, args.out)

    size = os.path.getsize(args.out)
    print(f"package: {args.out} ({size // 1024} KiB): MANIFEST.XML + {', '.join(n for _, n in files)}")
    print(f"package: {LINUX_NAME} needs {', '.join(needed)}; glibc baseline GLIBC_{baseline}")
    if not args.dll:
        print("package: no Windows library (the x86_64-pc-windows-gnu/msvc Rust target is not installed here)")


if __name__ == "__main__":
    main()
