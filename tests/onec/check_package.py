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

NS = "{http://v8.1c.ru/8.2/addin/bundle}"
EXPORTS = {"GetClassNames", "GetClassObject", "DestroyObject", "SetPlatformCapabilities", "GetAttachType"}
# What the Windows DLL exports: the Native API's five and how it was built.
WINDOWS_EXPORTS = EXPORTS | {"LogiBridgeBuild"}
# DLLs every Windows 10 (and wine) has. Anything else would have to be shipped beside the
# component, which a 1C template cannot do.
SYSTEM_DLLS = {
    "kernel32.dll", "kernelbase.dll", "ntdll.dll", "advapi32.dll", "bcrypt.dll", "bcryptprimitives.dll", "crypt32.dll",
    "ws2_32.dll", "userenv.dll", "msvcrt.dll", "ucrtbase.dll", "secur32.dll", "ncrypt.dll", "iphlpapi.dll", "ole32.dll",
    "oleaut32.dll", "shell32.dll", "user32.dll", "dbghelp.dll", "synchronization.dll", "mswsock.dll", "ntoskrnl.exe",
}
# objdump's name of the PE format of each manifest arch, and the objdump that reads it.
PE_FORMAT = {"x86_64": ("pei-x86-64", "x86_64-w64-mingw32-objdump"), "i386": ("pei-i386", "i686-w64-mingw32-objdump")}


def fail(msg):
    print(f"check_package: FAIL {msg}")
    sys.exit(1)


def ok(msg):
    print(f"check_package: ok   {msg}")


def check_linux(path, name, glibc_max):
    dyn = subprocess.run(["nm", "-D", "--defined-only", path], check=True, capture_output=True, text=True).stdout
    exported = {line.split()[-1] for line in dyn.splitlines() if " T " in line}
    missing = EXPORTS - exported
    if missing:
        fail(f"{name} does not export {sorted(missing)}")
    ok(f"{name} exports {', '.join(sorted(EXPORTS))}")
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


def check_windows(path, name, arch):
    fmt, objdump = PE_FORMAT[arch]
    out = subprocess.run([objdump, "-p", path], check=True, capture_output=True, text=True).stdout
    if f"file format {fmt}" not in out:
        found = re.search(r"file format (\S+)", out)
        fail(f"{name}: manifest arch {arch} but the file is {found.group(1) if found else 'not a PE file'}")
    ok(f"{name} is {fmt}")
    # The export table: "[Ordinal/Name Pointer] Table" lists "[   n] Name" lines.
    table = out.split("[Ordinal/Name Pointer] Table", 1)
    if len(table) < 2:
        fail(f"{name} has no export table")
    exported = set(re.findall(r"^\s*\[\s*\d+\]\s+(\S+)\s*$", table[1].split("\n\n", 1)[0], re.M))
    if exported != WINDOWS_EXPORTS:
        fail(f"{name} exports {sorted(exported)}, expected exactly {sorted(WINDOWS_EXPORTS)}")
    ok(f"{name} exports exactly {', '.join(sorted(exported))}")
    imported = [d.lower() for d in re.findall(r"^\s*DLL Name:\s*(\S+)", out, re.M)]
    foreign = [d for d in imported if d not in SYSTEM_DLLS and not d.startswith(("api-ms-win-", "ext-ms-win-"))]
    if not imported or foreign:
        fail(f"{name} imports {foreign or 'nothing'}: only system DLLs may be imported ({', '.join(imported)})")
    ok(f"{name} imports system DLLs only: {', '.join(sorted(set(imported)))}")


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
            if attrs["type"] != "native" or attrs["os"] not in ("Linux", "Windows", "MacOS") or attrs["arch"] not in ("x86_64", "i386"):
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
