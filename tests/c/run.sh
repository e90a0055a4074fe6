#!/usr/bin/env bash
# The C face's tests (called by `make test-c`; needs `make build` first):
#   1. the committed header compiles warning-free as C99 and as C++;
#   2. every tests/c/test_*.c is built twice, linked against liblogibridge.so and
#      liblogibridge.a;
#   3. a sandbox is started (logibridge-sandbox --port 0) and its addresses handed to the
#      tests through LB_TEST_CARRETA_URL / LB_TEST_CARRETA_KEY and LB_TEST_IRECA_URL /
#      LB_TEST_IRECA_TOKEN;
#   4. the dynamic builds run under valgrind (zero errors, zero definite/indirect leaks),
#      the static builds natively; the examples are built and run too.
#
# Environment: DEBUG_DIR (default target/debug), CC, CXX, LB_VALGRIND=0 to skip valgrind.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DEBUG_DIR="${DEBUG_DIR:-$ROOT/target/debug}"
CC="${CC:-gcc}"
CXX="${CXX:-g++}"
BUILD="$ROOT/tests/c/build"
SRC="$ROOT/tests/c"
INCLUDE="$ROOT/include"
LIB_SO="$DEBUG_DIR/liblogibridge.so"
LIB_A="$DEBUG_DIR/liblogibridge.a"
SANDBOX_BIN="$DEBUG_DIR/logibridge-sandbox"
# What a Rust staticlib needs from the system on Linux (rustc --print native-static-libs).
STATIC_LIBS="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
CFLAGS="-std=c99 -Wall -Wextra -Werror -pedantic -g -O0 -I$INCLUDE"
CXXFLAGS="-std=c++11 -Wall -Wextra -Werror -pedantic -g -O0 -I$INCLUDE"

for f in "$LIB_SO" "$LIB_A" "$SANDBOX_BIN"; do
    [[ -e "$f" ]] || { echo "missing $f: run 'make build' first" >&2; exit 2; }
done
rm -rf "$BUILD"
mkdir -p "$BUILD"

passed=0
failed=0
fail() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }
pass() { passed=$((passed + 1)); }

echo "== C: header compiles as C99 and C++ (-Wall -Wextra -Werror -pedantic)"
"$CC" $CFLAGS "$SRC/header_check.c" -o "$BUILD/header_check_c" -L"$DEBUG_DIR" -llogibridge -Wl,-rpath,"$DEBUG_DIR"
"$CXX" $CXXFLAGS "$SRC/header_check.cpp" -o "$BUILD/header_check_cpp" -L"$DEBUG_DIR" -llogibridge -Wl,-rpath,"$DEBUG_DIR"
"$BUILD/header_check_c" && pass || fail header_check_c
"$BUILD/header_check_cpp" && pass || fail header_check_cpp

echo "== C: building the tests, dynamic and static"
TESTS=()
for src in "$SRC"/test_*.c; do
    name="$(basename "$src" .c)"
    TESTS+=("$name")
    "$CC" $CFLAGS "$src" -o "$BUILD/$name" -L"$DEBUG_DIR" -llogibridge -Wl,-rpath,"$DEBUG_DIR" -lpthread
    "$CC" $CFLAGS "$src" -o "$BUILD/${name}_static" "$LIB_A" $STATIC_LIBS
done
EXAMPLES=()
for src in "$ROOT"/examples/c/*.c; do
    [[ -e "$src" ]] || continue
    name="example_$(basename "$src" .c)"
    EXAMPLES+=("$name")
    "$CC" $CFLAGS "$src" -o "$BUILD/$name" -L"$DEBUG_DIR" -llogibridge -Wl,-rpath,"$DEBUG_DIR"
done
if ldd "$BUILD/${TESTS[0]}_static" | grep -q liblogibridge; then
    fail "the static build links liblogibridge.so"
fi

echo "== C: starting the sandbox"
SANDBOX_OUT="$BUILD/sandbox.out"
"$SANDBOX_BIN" --port 0 >"$SANDBOX_OUT" 2>"$BUILD/sandbox.err" &
SANDBOX_PID=$!
trap 'kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    grep -q '^carreta ' "$SANDBOX_OUT" 2>/dev/null && break
    kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$BUILD/sandbox.err" >&2; echo "the sandbox died" >&2; exit 1; }
    sleep 0.1
done
line="$(grep -m1 '^carreta ' "$SANDBOX_OUT" || true)"
[[ -n "$line" ]] || { echo "the sandbox printed no carreta line" >&2; exit 1; }
# "carreta http://127.0.0.1:PORT/carreta/v1/ api_key=KEY"
export LB_TEST_CARRETA_URL="$(awk '{print $2}' <<<"$line")"
export LB_TEST_CARRETA_KEY="$(sed -n 's/.*api_key=\([^ ]*\).*/\1/p' <<<"$line")"
# "ireca http://127.0.0.1:PORT/ireca/api/v1/ token=TOKEN" (the same println as carreta's)
line="$(grep -m1 '^ireca ' "$SANDBOX_OUT" || true)"
[[ -n "$line" ]] || { echo "the sandbox printed no ireca line" >&2; exit 1; }
export LB_TEST_IRECA_URL="$(awk '{print $2}' <<<"$line")"
export LB_TEST_IRECA_TOKEN="$(sed -n 's/.*token=\([^ ]*\).*/\1/p' <<<"$line")"
# "cargorun http://127.0.0.1:PORT/cargorun/ username=USER password=PASSWORD"
line="$(grep -m1 '^cargorun ' "$SANDBOX_OUT" || true)"
[[ -n "$line" ]] || { echo "the sandbox printed no cargorun line" >&2; exit 1; }
export LB_TEST_CARGORUN_URL="$(awk '{print $2}' <<<"$line")"
export LB_TEST_CARGORUN_USERNAME="$(sed -n 's/.*username=\([^ ]*\).*/\1/p' <<<"$line")"
export LB_TEST_CARGORUN_PASSWORD="$(sed -n 's/.*password=\([^ ]*\).*/\1/p' <<<"$line")"
export LB_TEST_TMPDIR="$BUILD"
# What examples/c read.
export CARRETA_BASE_URL="$LB_TEST_CARRETA_URL" CARRETA_API_KEY="$LB_TEST_CARRETA_KEY"
export IRECA_BASE_URL="$LB_TEST_IRECA_URL" IRECA_TOKEN="$LB_TEST_IRECA_TOKEN"
# Every program signs in to CARGO.RUN in its own process, and the emulator refuses a second
# GenerateToken within 60 s (auth.md §3.3): they share one token file, as restarted workers do.
export CARGORUN_BASE_URL="$LB_TEST_CARGORUN_URL" CARGORUN_USERNAME="$LB_TEST_CARGORUN_USERNAME"
export CARGORUN_PASSWORD="$LB_TEST_CARGORUN_PASSWORD" CARGORUN_TOKEN_FILE="$BUILD/cargorun-tokens.json"
echo "   sandbox at $LB_TEST_CARRETA_URL and $LB_TEST_IRECA_URL"

VALGRIND=()
if [[ "${LB_VALGRIND:-1}" != 0 ]]; then
    command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind, or LB_VALGRIND=0)" >&2; exit 2; }
    # --child-silent-after-fork: test_fork's child leaks what it inherited by design (see
    # there); the parent process is checked as every other.
    VALGRIND=(valgrind --error-exitcode=99 --leak-check=full --child-silent-after-fork=yes
        --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
        --suppressions="$SRC/valgrind.supp" --num-callers=30)
fi

SUMMARY="$BUILD/valgrind-summary.txt"
: >"$SUMMARY"
run() { # name, command...
    local name="$1"
    shift
    local log="$BUILD/$name.log"
    echo "-- $name"
    if "$@" >"$log.out" 2>"$log"; then
        pass
    else
        fail "$name (exit $?); see $log"
        sed 's/^/   | /' "$log" | tail -40 >&2
        # Valgrind's report (exit 99), when the program ran under it.
        [[ -e "$BUILD/$name.valgrind" ]] && grep -v '^==[0-9]*== *$' "$BUILD/$name.valgrind" | tail -60 | sed 's/^/   v /' >&2
    fi
    grep -h 'passed,\|^SKIP' "$log.out" | sed 's/^/   /' || true
}

echo "== C: dynamic builds under ${VALGRIND[0]:-no valgrind}"
for t in "${TESTS[@]}" "${EXAMPLES[@]}"; do
    if [[ ${#VALGRIND[@]} -gt 0 ]]; then
        run "$t" "${VALGRIND[@]}" --log-file="$BUILD/$t.valgrind" "$BUILD/$t"
        {
            echo "$t:"
            grep -E 'ERROR SUMMARY|All heap blocks|definitely lost|indirectly lost|possibly lost|still reachable' "$BUILD/$t.valgrind" \
                | sed 's/^==[0-9]*== */    /'
        } >>"$SUMMARY"
    else
        run "$t" "$BUILD/$t"
    fi
done

echo "== C: static builds"
for t in "${TESTS[@]}"; do
    run "${t}_static" "$BUILD/${t}_static"
done

# Every check inside the programs, added up.
checks_passed=0
checks_failed=0
while read -r p f; do
    checks_passed=$((checks_passed + p))
    checks_failed=$((checks_failed + f))
done < <(cat "$BUILD"/*.log.out | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')

if [[ ${#VALGRIND[@]} -gt 0 ]]; then
    echo "== C: valgrind"
    cat "$SUMMARY"
fi
echo "== C: $checks_passed checks passed, $checks_failed failed in the programs"
echo "c: $passed passed, $failed failed"
[[ $failed -eq 0 && $checks_failed -eq 0 ]]
