#!/usr/bin/env python3
"""Checks dist/LogiBridge.zip as the 1C platform reads a template, and extracts the Linux
library so that the host harness can load the packaged file itself.

    python3 tests/onec/check_package.py dist/LogiBridge.zip tests/onec/build/pkg

Prints the path of the extracted Linux library on its last line.
"""

import ctypes
import os
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = "{http://v8.1c.ru/8.2/addin/bundle}"
EXPORTS = {"GetClassNames", "GetClassObject", "DestroyObject", "SetPlatformCapabilities", "GetAttachType"}


def fail(msg):
    print(f"check_package: FAIL {msg}")
    sys.exit(1)


def main():
    zip_path, out_dir = sys.argv[1], sys.argv[2]
    with zipfile.ZipFile(zip_path) as z:
        names = set(z.namelist())
        if "MANIFEST.XML" not in names:
            fail("no MANIFEST.XML at the root of the ZIP")
        root = ET.fromstring(z.read("MANIFEST.XML"))
        if root.tag != NS + "bundle":
            fail(f"root element is {root.tag}, not {NS}bundle")
        print(f"check_package: ok   bundle name={root.get('name')!r}")
        linux = None
        for c in root.findall(NS + "component"):
            attrs = {k: c.get(k) for k in ("os", "arch", "type", "path")}
            if attrs["type"] != "native" or attrs["os"] not in ("Linux", "Windows", "MacOS") or attrs["arch"] not in ("x86_64", "i386"):
                fail(f"bad component {attrs}")
            if attrs["path"] not in names:
                fail(f"component path {attrs['path']} is not in the ZIP")
            print(f"check_package: ok   component {attrs}")
            if attrs["os"] == "Linux" and attrs["arch"] == "x86_64":
                linux = attrs["path"]
        if not linux:
            fail("no Linux x86_64 component")
        os.makedirs(out_dir, exist_ok=True)
        target = os.path.join(out_dir, os.path.basename(linux))
        with open(target, "wb") as f:
            f.write(z.read(linux))
    dyn = subprocess.run(["nm", "-D", "--defined-only", target], check=True, capture_output=True, text=True).stdout
    exported = {line.split()[-1] for line in dyn.splitlines() if " T " in line}
    missing = EXPORTS - exported
    if missing:
        fail(f"{linux} does not export {sorted(missing)}")
    print(f"check_package: ok   {linux} exports {', '.join(sorted(EXPORTS))}")
    # The shipped library is the optimised release build, never a debug one.
    if "LogiBridgeBuild" not in exported:
        fail(f"{linux} does not export LogiBridgeBuild (how it was built)")
    fn = ctypes.CDLL(os.path.abspath(target)).LogiBridgeBuild
    fn.restype = ctypes.c_char_p
    build = dict(kv.split("=", 1) for kv in fn().decode().split(";"))
    if build.get("opt-level") in (None, "0", "?") or build.get("debug-assertions") != "off":
        fail(f"{linux} is not an optimised release build: {build}")
    print(f"check_package: ok   {linux} is a release build: {build}")
    print(target)


if __name__ == "__main__":
    main()
