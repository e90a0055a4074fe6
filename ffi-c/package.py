#!/usr/bin/env python3
"""Packs the C library's release builds into one archive per platform, in dist/:

    logibridge-c-windows-x86_64.zip          logibridge.dll, liblogibridge.dll.a, logibridge.h
    logibridge-c-windows-x86.zip             the same for 32-bit Windows
    logibridge-c-linux-x86_64-glibc2.17.tar.gz   liblogibridge.so, logibridge.h

    python3 ffi-c/package.py --header include/logibridge.h --out-dir dist \\
        --linux-so target/x86_64-unknown-linux-gnu/onec/liblogibridge.so \\
        --win64-dir target/x86_64-pc-windows-gnu/onec --win32-dir target/i686-pc-windows-gnu/onec

`make c-package` builds the libraries (mk/platforms.mk) and runs this. The DLL keeps the name
the linker gave it (logibridge.dll): the import library records that name, so a renamed
DLL would not be found by programs linked against it. Each library is stripped (the DLL's
COFF symbols, the .so's debug sections); the Linux library must need nothing beyond the C
runtime and no glibc symbol newer than 2.17. Prints each file's size and SHA-256.
"""

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from shipped_binaries import elf_problems, glibc_baseline, header_functions, needed_libraries, pe_imports, pe_problems  # noqa: E402

# The architecture of each archive, as shipped_binaries names it, the objdump of that
# architecture, and the object format of its import library's members.
PE_ARCH = {"x86_64": "x86_64", "x86": "i386"}
PE_OBJDUMP = {"x86_64": "x86_64-w64-mingw32-objdump", "x86": "i686-w64-mingw32-objdump"}
PE_IMPLIB_FORMAT = {"x86_64": "pe-x86-64", "x86": "pe-i386"}


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def staged(tmp, src, name, strip_tool, mode):
    dst = os.path.join(tmp, name)
    shutil.copyfile(src, dst)
    if strip_tool:
        subprocess.run([strip_tool, mode, dst], check=True)
    return dst


def report(archive, files):
    print(f"c-package: {archive} ({os.path.getsize(archive) // 1024} KiB)")
    for path, name in files:
        print(f"c-package:   {name} {os.path.getsize(path)} bytes sha256 {sha256(path)}")


def windows(args, tmp, arch, build_dir, strip_tool):
    dll = os.path.join(build_dir, "logibridge.dll")
    implib = os.path.join(build_dir, "liblogibridge.dll.a")
    for f in (dll, implib):
        if not os.path.isfile(f):
            sys.exit(f"c-package: {f} is missing (make cross-win64 / cross-win32)")
    # Exactly the header's functions, the right machine, system DLLs only; checked on the
    # stripped file that ships.
    sub = os.path.join(tmp, arch)
    os.makedirs(sub)
    shipped = staged(sub, dll, "logibridge.dll", strip_tool, "--strip-all")
    problems = pe_problems(shipped, PE_ARCH[arch], header_functions(args.header))
    if problems:
        sys.exit(f"c-package: {dll} must not ship as Windows {arch}: {'; '.join(problems)}")
    print(f"c-package: logibridge.dll ({arch}) exports the header's {len(header_functions(args.header))} functions, "
          f"imports {', '.join(pe_imports(shipped, PE_ARCH[arch]))}")
    # The import library must be of the same machine (mingw's objdump reads both).
    members = run(PE_OBJDUMP[arch], "-f", implib)
    formats = set(re.findall(r"file format (\S+)", members))
    if formats != {PE_IMPLIB_FORMAT[arch]}:
        sys.exit(f"c-package: {implib} holds {sorted(formats)}, not {PE_IMPLIB_FORMAT[arch]} alone")
    files = [(shipped, "logibridge.dll"),
             (staged(sub, implib, "liblogibridge.dll.a", None, None), "liblogibridge.dll.a"),
             (staged(sub, args.header, "logibridge.h", None, None), "logibridge.h")]
    archive = os.path.join(args.out_dir, f"logibridge-c-windows-{arch}.zip")
    with zipfile.ZipFile(archive + ".tmp", "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path, name in files:
            z.write(path, name)
    os.replace(archive + ".tmp", archive)
    report(archive, files)


def linux(args, tmp):
    problems = elf_problems(args.linux_so)
    exported = set(run("nm", "-D", "--defined-only", args.linux_so).split())
    missing = sorted(header_functions(args.header) - exported)
    if missing:
        problems.append(f"does not export {missing}")
    if problems:
        sys.exit(f"c-package: {args.linux_so} must not ship: {'; '.join(problems)} (build it with make cross-linux217)")
    needed = needed_libraries(args.linux_so)
    newest = glibc_baseline(args.linux_so)
    sub = os.path.join(tmp, "linux")
    os.makedirs(sub)
    files = [(staged(sub, args.linux_so, "liblogibridge.so", "strip", "--strip-debug"), "liblogibridge.so"),
             (staged(sub, args.header, "logibridge.h", None, None), "logibridge.h")]
    archive = os.path.join(args.out_dir, "logibridge-c-linux-x86_64-glibc2.17.tar.gz")
    with tarfile.open(archive + ".tmp", "w:gz") as t:
        for path, name in files:
            t.add(path, arcname=name)
    os.replace(archive + ".tmp", archive)
    report(archive, files)
    print(f"c-package:   liblogibridge.so needs {', '.join(needed)}; glibc baseline GLIBC_{'.'.join(map(str, newest))}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--header", required=True)
    ap.add_argument("--out-dir", default="dist")
    ap.add_argument("--linux-so", help="the Linux x86_64 library built against glibc 2.17")
    ap.add_argument("--win64-dir", help="the cargo output folder of the x86_64-pc-windows-gnu build")
    ap.add_argument("--win32-dir", help="the cargo output folder of the i686-pc-windows-gnu build")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if args.win64_dir:
            windows(args, tmp, "x86_64", args.win64_dir, "x86_64-w64-mingw32-strip")
        if args.win32_dir:
            windows(args, tmp, "x86", args.win32_dir, "i686-w64-mingw32-strip")
        if args.linux_so:
            linux(args, tmp)


if __name__ == "__main__":
    main()
