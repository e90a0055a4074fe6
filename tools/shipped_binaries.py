"""What every shipped library must be, read with binutils' objdump: used by the packagers
(onec/package.py, ffi-c/package.py) before they write an archive and by the package check of
`make test` (tests/onec/check_package.py).

- Windows: a PE file of the named architecture that exports exactly the expected functions
  and imports system DLLs only (no mingw runtime such as libwinpthread-1.dll, which a 1C or
  customer machine would not have).
- Linux: needs nothing beyond the C runtime, and no GLIBC_ symbol version newer than the
  baseline (2.17: RHEL 7, Astra Linux SE 1.7).

Each check returns a list of problems, empty when the file is fit to ship.
"""

import os
import re
import subprocess
import tempfile

# DLLs every Windows 10 has (wine 8 lacks bcryptprimitives.dll: the tests put a shim beside
# their host). Anything else would have to be shipped beside the library, which a 1C
# template cannot do.
SYSTEM_DLLS = {
    "kernel32.dll", "kernelbase.dll", "ntdll.dll", "advapi32.dll", "bcrypt.dll", "bcryptprimitives.dll", "crypt32.dll",
    "ws2_32.dll", "userenv.dll", "msvcrt.dll", "ucrtbase.dll", "secur32.dll", "ncrypt.dll", "iphlpapi.dll", "ole32.dll",
    "oleaut32.dll", "shell32.dll", "user32.dll", "dbghelp.dll", "synchronization.dll", "mswsock.dll", "ntoskrnl.exe",
}
# What the 1C component exports: the Native API's five, and (on Windows, where the export
# table is exact) LogiBridgeBuild, how it was built.
NATIVE_API_EXPORTS = {"GetClassNames", "GetClassObject", "DestroyObject", "SetPlatformCapabilities", "GetAttachType"}
ONEC_WINDOWS_EXPORTS = NATIVE_API_EXPORTS | {"LogiBridgeBuild"}
# The C runtime every Linux host has.
ALLOWED_NEEDED = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "librt.so.1"}
# What Windows 7/8.1 lacks among them: the standard library of the regular targets takes
# random numbers from ProcessPrng (bcryptprimitives.dll) and waits with WaitOnAddress (the
# synch API set of Windows 8); the win7 targets' builds must import neither.
NOT_ON_WINDOWS7 = {"bcryptprimitives.dll", "api-ms-win-core-synch-l1-2-0.dll", "synchronization.dll"}
# ELF format of the Linux builds (objdump -f).
ELF_FORMAT = "elf64-x86-64"
# objdump's name of the PE format of each architecture (as MANIFEST.XML names it), and the
# objdump that reads it.
PE_FORMAT = {"x86_64": ("pei-x86-64", "x86_64-w64-mingw32-objdump"), "i386": ("pei-i386", "i686-w64-mingw32-objdump")}


def pe_problems(path, arch, exports, windows7=False):
    """Why the DLL at `path` must not ship as `arch` ("x86_64" or "i386") exporting exactly
    `exports` (a set of names), for Windows 7 as well when `windows7`; [] when it may."""
    fmt, objdump = PE_FORMAT[arch]
    done = subprocess.run([objdump, "-p", path], capture_output=True, text=True)
    if done.returncode != 0:
        return [f"{objdump} cannot read it as {fmt}: {done.stderr.strip()[:200]}"]
    out = done.stdout
    found = re.search(r"file format (\S+)", out)
    if not found or found.group(1) != fmt:
        return [f"it is {found.group(1) if found else 'not a PE file'}, not {fmt}"]
    problems = []
    # The export table: "[Ordinal/Name Pointer] Table" lists "[   n] Name" lines.
    table = out.split("[Ordinal/Name Pointer] Table", 1)
    exported = set(re.findall(r"^\s*\[\s*\d+\]\s+(\S+)\s*$", table[1].split("\n\n", 1)[0], re.M)) if len(table) == 2 else set()
    if exported != exports:
        problems.append(f"exports differ: missing {sorted(exports - exported)}, unexpected {sorted(exported - exports)}")
    imported = [d.lower() for d in re.findall(r"^\s*DLL Name:\s*(\S+)", out, re.M)]
    foreign = [d for d in imported if d not in SYSTEM_DLLS and not d.startswith(("api-ms-win-", "ext-ms-win-"))]
    if not imported or foreign:
        problems.append(f"imports {foreign or 'nothing'}: only system DLLs may be imported")
    newer = sorted(set(imported) & NOT_ON_WINDOWS7)
    if windows7 and newer:
        problems.append(f"imports {newer}, which Windows 7 does not have: not a build of a win7 target")
    # Delay-loaded DLLs are not in the import table listed above: the PE directory entry
    # (MSVC's way) or mingw's helper (dlltool --output-delaylib) gives them away.
    delay_entry = re.search(r"^Entry d ([0-9a-fA-F]+) ([0-9a-fA-F]+) Delay Import Directory", out, re.M)
    with open(path, "rb") as f:
        mingw_delay = b"__delayLoadHelper2" in f.read()
    if (delay_entry and int(delay_entry.group(2), 16) != 0) or mingw_delay:
        problems.append("has delay-loaded imports, which this check cannot vouch for")
    return problems


def pe_imports(path, arch):
    """The DLLs the PE file imports, lower case."""
    out = subprocess.run([PE_FORMAT[arch][1], "-p", path], check=True, capture_output=True, text=True).stdout
    return sorted({d.lower() for d in re.findall(r"^\s*DLL Name:\s*(\S+)", out, re.M)})


def glibc_baseline(path):
    """The newest GLIBC_x.y symbol version the ELF file needs, as a tuple ((0,) for none)."""
    out = subprocess.run(["objdump", "-T", path], check=True, capture_output=True, text=True).stdout
    versions = {tuple(int(x) for x in v.split(".")) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", out)}
    return max(versions) if versions else (0,)


def needed_libraries(path):
    out = subprocess.run(["objdump", "-p", path], check=True, capture_output=True, text=True).stdout
    return re.findall(r"^\s*NEEDED\s+(\S+)", out, re.M)


def elf_problems(path, glibc_max=(2, 17)):
    """Why the Linux x86_64 library at `path` must not ship; [] when it may."""
    out = subprocess.run(["objdump", "-f", path], capture_output=True, text=True).stdout
    found = re.search(r"file format (\S+)", out)
    if not found or found.group(1) != ELF_FORMAT:
        return [f"it is {found.group(1) if found else 'not an ELF file'}, not {ELF_FORMAT}"]
    problems = []
    extra = [n for n in needed_libraries(path) if n not in ALLOWED_NEEDED]
    if extra:
        problems.append(f"depends on {extra}: link them statically")
    newest = glibc_baseline(path)
    if newest == (0,):
        problems.append("names no GLIBC_ symbol version: not a glibc build")
    elif newest > tuple(glibc_max):
        problems.append(f"needs GLIBC_{'.'.join(map(str, newest))}, newer than {'.'.join(map(str, glibc_max))}")
    return problems


def header_functions(header):
    """The functions a C header declares, as the C compiler reads it (`gcc -aux-info`:
    macros, attributes, comments and `#if 0` blocks count as they do for a program)."""
    with tempfile.TemporaryDirectory() as tmp:
        aux = os.path.join(tmp, "aux.txt")
        subprocess.run(["gcc", "-fsyntax-only", "-x", "c", "-aux-info", aux, header], check=True, capture_output=True)
        with open(aux, encoding="utf-8") as f:
            lines = f.read().splitlines()
    # "/* include/logibridge.h:325:NC */ extern const char *lb_version (void);" — only the
    # header's own declarations, not those of the system headers it includes.
    name = os.path.basename(header)
    return {m.group(1) for line in lines if f"{name}:" in line.split("*/", 1)[0]
            for m in [re.search(r"\b([A-Za-z_]\w*)\s*\(", line.split("*/", 1)[1])] if m and " static " not in f" {line.split('*/', 1)[1]} "}
