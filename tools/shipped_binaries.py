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

import re
import subprocess

# DLLs every Windows 10 (and wine) has. Anything else would have to be shipped beside the
# library, which a 1C template cannot do.
SYSTEM_DLLS = {
    "kernel32.dll", "kernelbase.dll", "ntdll.dll", "advapi32.dll", "bcrypt.dll", "bcryptprimitives.dll", "crypt32.dll",
    "ws2_32.dll", "userenv.dll", "msvcrt.dll", "ucrtbase.dll", "secur32.dll", "ncrypt.dll", "iphlpapi.dll", "ole32.dll",
    "oleaut32.dll", "shell32.dll", "user32.dll", "dbghelp.dll", "synchronization.dll", "mswsock.dll", "ntoskrnl.exe",
}
# The C runtime every Linux host has.
ALLOWED_NEEDED = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "librt.so.1"}
# objdump's name of the PE format of each architecture (as MANIFEST.XML names it), and the
# objdump that reads it.
PE_FORMAT = {"x86_64": ("pei-x86-64", "x86_64-w64-mingw32-objdump"), "i386": ("pei-i386", "i686-w64-mingw32-objdump")}


def pe_problems(path, arch, exports):
    """Why the DLL at `path` must not ship as `arch` ("x86_64" or "i386") exporting exactly
    `exports` (a set of names); [] when it may."""
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
    """Why the Linux library at `path` must not ship; [] when it may."""
    problems = []
    extra = [n for n in needed_libraries(path) if n not in ALLOWED_NEEDED]
    if extra:
        problems.append(f"depends on {extra}: link them statically")
    newest = glibc_baseline(path)
    if newest > tuple(glibc_max):
        problems.append(f"needs GLIBC_{'.'.join(map(str, newest))}, newer than {'.'.join(map(str, glibc_max))}")
    return problems


def header_functions(header):
    """The functions a C header declares (`lb_…(` at the start of a declaration)."""
    with open(header, encoding="utf-8") as f:
        text = f.read()
    names = re.findall(r"^[a-z][^(;]*?\b(lb_[a-z0-9_]+)\(", text, re.M)
    return {n for n in names}
