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

GLIBC_MAX = (2, 17)
ALLOWED_NEEDED = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "librt.so.1"}


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
    sub = os.path.join(tmp, arch)
    os.makedirs(sub)
    files = [(staged(sub, dll, "logibridge.dll", strip_tool, "--strip-all"), "logibridge.dll"),
             (staged(sub, implib, "liblogibridge.dll.a", None, None), "liblogibridge.dll.a"),
             (staged(sub, args.header, "logibridge.h", None, None), "logibridge.h")]
    archive = os.path.join(args.out_dir, f"logibridge-c-windows-{arch}.zip")
    with zipfile.ZipFile(archive + ".tmp", "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path, name in files:
            z.write(path, name)
    os.replace(archive + ".tmp", archive)
    report(archive, files)


def linux(args, tmp):
    needed = re.findall(r"^\s*NEEDED\s+(\S+)", run("objdump", "-p", args.linux_so), re.M)
    extra = [n for n in needed if n not in ALLOWED_NEEDED]
    if extra:
        sys.exit(f"c-package: {args.linux_so} depends on {extra}: link them statically")
    versions = {tuple(int(x) for x in v.split(".")) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", run("objdump", "-T", args.linux_so))}
    newest = max(versions) if versions else (0,)
    if newest > GLIBC_MAX:
        sys.exit(f"c-package: {args.linux_so} needs GLIBC_{'.'.join(map(str, newest))}, newer than 2.17 (build it with make cross-linux217)")
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
