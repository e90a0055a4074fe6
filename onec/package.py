#!/usr/bin/env python3
"""Builds dist/LogiBridge.zip: the 1C configuration template of the component.

    python3 onec/package.py --so liblogibridge_1c.so [--dll-x86_64 logibridge_1c.dll]
                            [--dll-i386 logibridge_1c.dll] [--out dist/LogiBridge.zip] [--windows7]

`make onec-package` builds the three libraries with the optimised profile `onec` (mk/onec.mk,
mk/platforms.mk): Linux x86_64 against glibc 2.17 (cargo zigbuild), Windows x86_64 and x86
(mingw-w64). `make onec-package-win7` builds dist/LogiBridge-win7.zip: the same Linux library
and the Windows 7/8.1 builds of both Windows ones (`--windows7`), as a template of its own
because MANIFEST.XML names an OS and an architecture, never an OS version.

The ZIP holds MANIFEST.XML (a `bundle` with one `component` per platform) and the
libraries, each stripped. Load it in 1C from a common template of type "Внешняя компонента":
ПодключитьВнешнююКомпоненту("ОбщийМакет.LogiBridge", "LogiBridge", ТипВнешнейКомпоненты.Native).

The Linux library's glibc baseline (the highest GLIBC_x.y symbol version it needs) and its
dynamic dependencies are printed, and the build fails if it depends on anything beyond the
C runtime (everything else must be linked statically). The closing lines give every
library's size and SHA-256 as packaged.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from xml.sax.saxutils import quoteattr

BUNDLE = "LogiBridge"
LINUX_NAME = "liblogibridge_1c_linux_x86_64.so"
WINDOWS_NAMES = {"x86_64": "logibridge_1c_windows_x86_64.dll", "i386": "logibridge_1c_windows_x86.dll"}
# The Windows 7/8.1 builds (--windows7): the same names with the version in them, so that a
# library taken out of either ZIP says which it is.
WINDOWS7_NAMES = {"x86_64": "logibridge_1c_windows7_x86_64.dll", "i386": "logibridge_1c_windows7_x86.dll"}
# mingw's strip for each Windows architecture (binutils for the host cannot write PE files).
WINDOWS_STRIP = {"x86_64": "x86_64-w64-mingw32-strip", "i386": "i686-w64-mingw32-strip"}
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from shipped_binaries import NATIVE_API_EXPORTS, ONEC_WINDOWS_EXPORTS, elf_problems, glibc_baseline, needed_libraries, pe_problems  # noqa: E402


def manifest(components):
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<bundle xmlns="http://v8.1c.ru/8.2/addin/bundle" name={quoteattr(BUNDLE)}>']
    for os_name, arch, path in components:
        lines.append(f"  <component os={quoteattr(os_name)} path={quoteattr(path)} type=\"native\" arch={quoteattr(arch)}/>")
    lines.append("</bundle>")
    return "\n".join(lines) + "\n"


def strip(path, tool, mode, keep):
    """Strips `path` in place with `tool` (`mode`: --strip-debug or --strip-all); `keep`
    skips it (--no-strip). A missing tool is an error: an unstripped library is not shipped."""
    if keep:
        return
    if not shutil.which(tool):
        sys.exit(f"package: {tool} is missing (make cross-deps installs it); --no-strip to package anyway")
    subprocess.run([tool, mode, path], check=True)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--so", required=True, help="the Linux x86_64 component (liblogibridge_1c.so)")
    ap.add_argument("--dll-x86_64", help="the Windows x86_64 component (logibridge_1c.dll)")
    ap.add_argument("--dll-i386", help="the Windows x86 (32-bit) component (logibridge_1c.dll)")
    ap.add_argument("--out", default="dist/LogiBridge.zip")
    ap.add_argument("--no-strip", action="store_true", help="keep debug information in the packaged libraries")
    ap.add_argument("--windows7", action="store_true",
                    help="the DLLs are the Windows 7/8.1 builds (x86_64-win7-windows-gnu, i686-win7-windows-gnu): named *_windows7_*")
    args = ap.parse_args()

    problems = elf_problems(args.so)
    exported = set(subprocess.run(["nm", "-D", "--defined-only", args.so], check=True, capture_output=True, text=True).stdout.split())
    missing = sorted(NATIVE_API_EXPORTS - exported)
    if missing:
        problems.append(f"does not export the Native API's {missing} (is it the C library?)")
    if problems:
        sys.exit(f"package: {args.so} must not ship: {'; '.join(problems)} (make cross-linux217 builds it)")
    needed = needed_libraries(args.so)
    baseline = ".".join(map(str, glibc_baseline(args.so)))

    components = [("Linux", "x86_64", LINUX_NAME)]
    with tempfile.TemporaryDirectory() as tmp:
        so = os.path.join(tmp, LINUX_NAME)
        shutil.copyfile(args.so, so)
        # Debug sections only: symbols stay, so crash reports remain readable.
        strip(so, "strip", "--strip-debug", args.no_strip)
        files = [(so, LINUX_NAME)]
        for arch, dll in (("x86_64", args.dll_x86_64), ("i386", args.dll_i386)):
            if not dll:
                continue
            name = (WINDOWS7_NAMES if args.windows7 else WINDOWS_NAMES)[arch]
            staged = os.path.join(tmp, name)
            shutil.copyfile(dll, staged)
            # A PE file's exports are a table of their own: --strip-all keeps them and drops
            # the COFF symbols, which Windows debuggers do not read anyway.
            strip(staged, WINDOWS_STRIP[arch], "--strip-all", args.no_strip)
            problems = pe_problems(staged, arch, ONEC_WINDOWS_EXPORTS, windows7=args.windows7)
            if problems:
                sys.exit(f"package: {dll} must not ship as Windows {arch}: {'; '.join(problems)}")
            components.append(("Windows", arch, name))
            files.append((staged, name))

        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        tmp_zip = args.out + ".tmp"
        with zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("MANIFEST.XML", manifest(components))
            for src, name in files:
                z.write(src, name)
        os.replace(tmp_zip, args.out)
        sums = [(name, os.path.getsize(src), sha256(src)) for src, name in files]

    size = os.path.getsize(args.out)
    print(f"package: {args.out} ({size // 1024} KiB): MANIFEST.XML + {', '.join(n for _, n in files)}")
    print(f"package: {LINUX_NAME} needs {', '.join(needed)}; glibc baseline GLIBC_{baseline}")
    for name, n, digest in sums:
        print(f"package: {name} {n} bytes sha256 {digest}")
    missing = [a for a, d in (("x86_64", args.dll_x86_64), ("i386", args.dll_i386)) if not d]
    if missing:
        print(f"package: no Windows library for {', '.join(missing)} (make onec-package builds them; see mk/platforms.mk)")


if __name__ == "__main__":
    main()
