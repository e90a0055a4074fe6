#!/usr/bin/env bash
# Runs the 1C host harness built for Windows (tests/onec/host.cpp, cross-compiled with mingw)
# under wine against a Windows DLL of the component; the sandbox (a Linux process) is reached
# over loopback. Used by `make test-windows` (mk/platforms.mk).
#
#   tests/onec/run_windows.sh HOST_EXE DLL x86_64|i386
#
# The host's folder must hold the test-only bcryptprimitives.dll shim (tests/onec/prng_shim.c;
# wine 8 lacks that DLL). Each architecture has its own wine prefix under tests/onec/build/,
# made on first use. For i386 wine32 is needed (Debian's i386 architecture): when it is not
# installed, this says so and exits with status 3 (the caller reports it as skipped, never
# silently).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HOST="$1"
DLL="$2"
ARCH="$3"
case "$ARCH" in
    x86_64) WINE=/usr/lib/wine/wine64 ;;
    i386) WINE=/usr/lib/wine/wine ;;
    *) echo "run_windows.sh: arch must be x86_64 or i386, not $ARCH" >&2; exit 2 ;;
esac
if [[ ! -x "$WINE" ]]; then
    if [[ "$ARCH" == i386 ]]; then
        echo "run_windows.sh: SKIPPED the Windows x86 (i386) DLL: wine32 is not installed ($WINE missing)."
        echo "run_windows.sh: it needs Debian's i386 architecture (dpkg --add-architecture i386; apt-get install wine32:i386)."
        exit 3
    fi
    echo "run_windows.sh: $WINE is missing (apt-get install wine64)" >&2
    exit 2
fi
[[ -f "$(dirname "$HOST")/bcryptprimitives.dll" ]] || { echo "run_windows.sh: no bcryptprimitives.dll shim beside $HOST" >&2; exit 2; }

export WINEPREFIX="$ROOT/tests/onec/build/wine-$ARCH"
# wine turns a Windows path (UTF-16) into Unix bytes with the locale's character set: in the
# C locale (CI sets no LANG) the Cyrillic folder of the price-list checks has no Unix name
# and every file call there fails. Windows itself has no such step.
export LC_ALL=C.UTF-8
export WINEDEBUG=-all
# No Mono or Gecko installers (they would try to download): the host needs neither.
export WINEDLLOVERRIDES="mscoree,mshtml="
if [[ "$ARCH" == i386 ]]; then export WINEARCH=win32; else export WINEARCH=win64; fi
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
    echo "run_windows.sh: making the wine prefix $WINEPREFIX"
    "$WINE" wineboot --init >/dev/null 2>&1 || true
    "${WINE%/*}/wineserver" -w || true
fi

set +e
LB_WINE="$WINE" LB_LOG="${LB_LOG:-$ROOT/tests/onec/build/host-windows-$ARCH.log}" LB_COMPONENT="$DLL" "$ROOT/tests/onec/run.sh" "$HOST"
STATUS=$?
set -e
# The prefix's wineserver ends a few seconds after its last process; wait for it, so nothing
# of this run outlives it.
"${WINE%/*}/wineserver" -w || true
exit "$STATUS"
