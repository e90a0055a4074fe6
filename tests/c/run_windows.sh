#!/usr/bin/env bash
# The C face on Windows x86_64, under wine: every program of tests/c that does not fork (all
# but test_errors) and the examples of examples/c are cross-compiled with mingw-w64, linked
# against logibridge.dll through its import library liblogibridge.dll.a — both taken from the
# packaged archive dist/logibridge-c-windows-x86_64.zip — and run against one sandbox (a Linux
# process) over loopback, one after the other. Used by `make test-windows` (mk/platforms.mk).
#
#   tests/c/run_windows.sh [ARCHIVE]
#
# A test passes on exit status 0 and its closing line "NAME: N passed, M failed" (M = 0); an
# example prints no such line and is judged by its exit status. Either fails when wine
# reports a crash (wine 8 can exit 0 after one).
#
# The price-list test's folder has Cyrillic letters in its name: the library opens UTF-8
# paths with the wide-character functions. The CARGO.RUN programs share one token file, as
# the programs of a lane of tests/c/run.sh do (the sandbox refuses a second GenerateToken of
# the user within 60 s); its path is plain ASCII, since examples/c/cargorun.c reads it with
# getenv (the ANSI code page). The test-only ProcessPrng shim of tests/onec/prng_shim.c sits
# beside the programs (wine 8 lacks bcryptprimitives.dll).
# Environment: CARGO_TARGET_DIR (the sandbox: target/debug/logibridge-sandbox),
# LB_WIN_TIMEOUT (seconds one program may take, default 900).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ARCHIVE="${1:-$ROOT/dist/logibridge-c-windows-x86_64.zip}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SANDBOX_BIN="$TARGET_DIR/debug/logibridge-sandbox"
BUILD="$ROOT/tests/c/build-windows/x86_64"
WINE=/usr/lib/wine/wine64
CC=x86_64-w64-mingw32-gcc-posix
TESTS=(test_carreta test_pricelist test_async test_threads test_rails test_ireca test_cargorun test_cargorun_swagger
    test_cargorun_sync)
EXAMPLES=(cargorun ireca minimal)
TIMEOUT="${LB_WIN_TIMEOUT:-900}"

for f in "$ARCHIVE" "$SANDBOX_BIN" "$WINE"; do
    [[ -e "$f" ]] || { echo "c-windows: missing $f (make c-package build cross-deps)" >&2; exit 2; }
done
rm -rf "$BUILD"
mkdir -p "$BUILD/pkg"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$ARCHIVE" "$BUILD/pkg"
cp "$BUILD/pkg/logibridge.dll" "$BUILD/"
x86_64-w64-mingw32-gcc -shared -O2 -Wall -Werror -o "$BUILD/bcryptprimitives.dll" "$ROOT/tests/onec/prng_shim.c" -lbcrypt

echo "== C (Windows x86_64): building ${TESTS[*]} and examples/c/{$(IFS=,; echo "${EXAMPLES[*]}")}.c against the packaged logibridge.dll"
# -static: the mingw runtime (winpthreads, libgcc) inside the program; logibridge.dll
# through its import library, given as a file so -static cannot pick liblogibridge.a.
build() { # source, program
    "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -O0 -D__USE_MINGW_ANSI_STDIO=1 -I"$BUILD/pkg" -static \
        -o "$BUILD/$2.exe" "$1" "$BUILD/pkg/liblogibridge.dll.a" -lws2_32
}
PROGRAMS=()
for t in "${TESTS[@]}"; do
    build "$ROOT/tests/c/$t.c" "$t"
    PROGRAMS+=("$t")
done
for e in "${EXAMPLES[@]}"; do
    build "$ROOT/examples/c/$e.c" "example_$e"
    PROGRAMS+=("example_$e")
done
# grep reads all of objdump's output (no -q): leaving at the first match could end objdump
# with SIGPIPE, which pipefail would take for a failure.
x86_64-w64-mingw32-objdump -p "$BUILD/test_carreta.exe" | grep 'DLL Name: logibridge.dll' >/dev/null \
    || { echo "c-windows: test_carreta.exe does not import logibridge.dll" >&2; exit 1; }

SANDBOX_OUT="$BUILD/sandbox.out"
"$SANDBOX_BIN" --port 0 >"$SANDBOX_OUT" 2>"$BUILD/sandbox.err" &
SANDBOX_PID=$!
export WINEPREFIX="$ROOT/tests/onec/build/wine-x86_64" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
# A UTF-8 locale for wine's Windows-to-Unix path names: LB_TEST_TMPDIR is a Cyrillic folder,
# which has no name in the C locale (as tests/onec/run_windows.sh).
export LC_ALL=C.UTF-8
trap 'kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true; /usr/lib/wine/wineserver -w || true' EXIT
for _ in $(seq 1 100); do
    grep -q '^cargorun ' "$SANDBOX_OUT" 2>/dev/null && break
    kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$BUILD/sandbox.err" >&2; echo "the sandbox died" >&2; exit 1; }
    sleep 0.1
done
field() { sed -n "s/.*$2=\\([^ ]*\\).*/\\1/p" <<<"$(grep -m1 "^$1 " "$SANDBOX_OUT")"; }
export LB_TEST_CARRETA_URL="$(grep -m1 '^carreta ' "$SANDBOX_OUT" | awk '{print $2}')"
export LB_TEST_CARRETA_KEY="$(field carreta api_key)"
export LB_TEST_IRECA_URL="$(grep -m1 '^ireca ' "$SANDBOX_OUT" | awk '{print $2}')"
export LB_TEST_IRECA_TOKEN="$(field ireca token)"
export LB_TEST_CARGORUN_URL="$(grep -m1 '^cargorun ' "$SANDBOX_OUT" | awk '{print $2}')"
export LB_TEST_CARGORUN_USERNAME="$(field cargorun username)"
export LB_TEST_CARGORUN_PASSWORD="$(field cargorun password)"
# What examples/c read (as tests/c/run.sh's start_sandbox).
export CARRETA_BASE_URL="$LB_TEST_CARRETA_URL" CARRETA_API_KEY="$LB_TEST_CARRETA_KEY"
export IRECA_BASE_URL="$LB_TEST_IRECA_URL" IRECA_TOKEN="$LB_TEST_IRECA_TOKEN"
export CARGORUN_BASE_URL="$LB_TEST_CARGORUN_URL" CARGORUN_USERNAME="$LB_TEST_CARGORUN_USERNAME"
export CARGORUN_PASSWORD="$LB_TEST_CARGORUN_PASSWORD" CARGORUN_TOKEN_FILE="Z:$BUILD/cargorun-tokens.json"
TMP_UNIX="$BUILD/прайс"
mkdir -p "$TMP_UNIX"
# Forward slashes: the tests put the path into JSON texts as it is.
export LB_TEST_TMPDIR="Z:$TMP_UNIX"
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
    "$WINE" wineboot --init >/dev/null 2>&1 || true
fi
echo "   sandbox at $LB_TEST_CARRETA_URL; LB_TEST_TMPDIR=$LB_TEST_TMPDIR"

passed=0
failed=0
checks_passed=0
checks_failed=0
for t in "${PROGRAMS[@]}"; do
    echo "-- $t.exe (wine64)"
    started=$SECONDS
    status=0
    (cd "$BUILD" && timeout --kill-after=10 "$TIMEOUT" "$WINE" "./$t.exe") >"$BUILD/$t.out" 2>"$BUILD/$t.err" || status=$?
    ok=1
    if [[ $status -ne 0 ]]; then
        ok=0
        echo "FAIL: $t.exe (exit $status$([[ $status == 124 ]] && echo ", over ${TIMEOUT} s"))" >&2
        sed 's/^/   | /' "$BUILD/$t.err" | tail -40 >&2
    fi
    # wine 8 starts winedbg on an unhandled exception and may then exit 0: a crash report
    # fails the program whatever its status.
    if grep -qE '^wine: Unhandled|Unhandled exception|Backtrace:' "$BUILD/$t.err" "$BUILD/$t.out"; then
        ok=0
        echo "FAIL: $t.exe crashed under wine (exit $status)" >&2
        grep -hE -A3 '^wine: Unhandled|Unhandled exception' "$BUILD/$t.err" "$BUILD/$t.out" | head -12 | sed 's/^/   | /' >&2
    fi
    if [[ "$t" == example_* ]]; then
        # An example prints what it did, not a count: its exit status (and no crash) is the verdict.
        echo "   exit $status; $(wc -l <"$BUILD/$t.out") lines of output ($((SECONDS - started)) s)"
    else
        line="$(grep -h 'passed,' "$BUILD/$t.out" | tail -n1 || true)"
        echo "   ${line:-(no closing line)} ($((SECONDS - started)) s)"
        if [[ "$line" =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
            checks_passed=$((checks_passed + BASH_REMATCH[1]))
            checks_failed=$((checks_failed + BASH_REMATCH[2]))
        else
            [[ $ok == 0 ]] || echo "FAIL: $t.exe printed no closing line" >&2
            ok=0
        fi
    fi
    if [[ $ok == 1 ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "== C (Windows x86_64): $checks_passed checks passed, $checks_failed failed in the programs"
echo "c-windows: $passed passed, $failed failed"
[[ $failed -eq 0 && $checks_failed -eq 0 ]]
