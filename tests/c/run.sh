#!/usr/bin/env bash
# The C face's tests (called by `make test-c`; needs `make build` first):
#   1. the committed header compiles warning-free as C99 and as C++;
#   2. every tests/c/test_*.c is built twice, linked against liblogibridge.so and
#      liblogibridge.a;
#   3. the programs are shared out over lanes (LB_C_LANES, default 2), each with its own
#      sandbox (logibridge-sandbox --port 0) whose addresses reach the tests through
#      LB_TEST_CARRETA_URL / _KEY, LB_TEST_IRECA_URL / _TOKEN, LB_TEST_CARGORUN_URL /
#      _USERNAME / _PASSWORD, and its own LB_TEST_TMPDIR;
#   4. the dynamic builds run under valgrind (zero errors, zero definite/indirect leaks),
#      the static builds natively; the examples are built and run too.
#
# Environment: DEBUG_DIR (default target/debug), CC, CXX, LB_VALGRIND=0 to skip valgrind,
# LB_C_LANES (default 2).
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

# The programs run in lanes, two by default (LB_C_LANES): each lane has its own sandbox,
# token file and temporary directory, and runs its share of the programs one after the
# other, so no program sees another's orders, tokens or files. Valgrind runs one program on
# one core; with one lane the suite would leave the second core idle for its whole length.
LANES="${LB_C_LANES:-2}"
[[ "$LANES" =~ ^[1-9][0-9]*$ ]] || { echo "LB_C_LANES must be a positive integer, got '$LANES'" >&2; exit 2; }

SANDBOX_PIDS=()
trap 'for p in "${SANDBOX_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done' EXIT

# Starts a sandbox for the lane in directory $1 and writes the variables the programs read
# into $1/env.sh.
start_sandbox() {
    local dir="$1" out="$1/sandbox.out" err="$1/sandbox.err" pid line
    "$SANDBOX_BIN" --port 0 >"$out" 2>"$err" &
    pid=$!
    SANDBOX_PIDS+=("$pid")
    for _ in $(seq 1 100); do
        grep -q '^cargorun ' "$out" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || { cat "$err" >&2; echo "the sandbox died" >&2; exit 1; }
        sleep 0.1
    done
    local carreta ireca cargorun
    # "carreta http://127.0.0.1:PORT/carreta/v1/ api_key=KEY"
    carreta="$(grep -m1 '^carreta ' "$out" || true)"
    # "ireca http://127.0.0.1:PORT/ireca/api/v1/ token=TOKEN"
    ireca="$(grep -m1 '^ireca ' "$out" || true)"
    # "cargorun http://127.0.0.1:PORT/cargorun/ username=USER password=PASSWORD"
    cargorun="$(grep -m1 '^cargorun ' "$out" || true)"
    [[ -n "$carreta" && -n "$ireca" && -n "$cargorun" ]] || { echo "the sandbox did not print its three services" >&2; exit 1; }
    {
        echo "export LB_TEST_CARRETA_URL='$(awk '{print $2}' <<<"$carreta")'"
        echo "export LB_TEST_CARRETA_KEY='$(sed -n 's/.*api_key=\([^ ]*\).*/\1/p' <<<"$carreta")'"
        echo "export LB_TEST_IRECA_URL='$(awk '{print $2}' <<<"$ireca")'"
        echo "export LB_TEST_IRECA_TOKEN='$(sed -n 's/.*token=\([^ ]*\).*/\1/p' <<<"$ireca")'"
        echo "export LB_TEST_CARGORUN_URL='$(awk '{print $2}' <<<"$cargorun")'"
        echo "export LB_TEST_CARGORUN_USERNAME='$(sed -n 's/.*username=\([^ ]*\).*/\1/p' <<<"$cargorun")'"
        echo "export LB_TEST_CARGORUN_PASSWORD='$(sed -n 's/.*password=\([^ ]*\).*/\1/p' <<<"$cargorun")'"
        echo "export LB_TEST_TMPDIR='$dir'"
        # What examples/c read.
        echo 'export CARRETA_BASE_URL="$LB_TEST_CARRETA_URL" CARRETA_API_KEY="$LB_TEST_CARRETA_KEY"'
        echo 'export IRECA_BASE_URL="$LB_TEST_IRECA_URL" IRECA_TOKEN="$LB_TEST_IRECA_TOKEN"'
        # Every program signs in to CARGO.RUN in its own process, and the emulator refuses a
        # second GenerateToken within 60 s (auth.md §3.3): the programs of a lane share one
        # token file, as restarted workers do.
        echo 'export CARGORUN_BASE_URL="$LB_TEST_CARGORUN_URL" CARGORUN_USERNAME="$LB_TEST_CARGORUN_USERNAME"'
        echo "export CARGORUN_PASSWORD=\"\$LB_TEST_CARGORUN_PASSWORD\" CARGORUN_TOKEN_FILE='$dir/cargorun-tokens.json'"
    } >"$dir/env.sh"
}

VALGRIND=()
if [[ "${LB_VALGRIND:-1}" != 0 ]]; then
    command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind, or LB_VALGRIND=0)" >&2; exit 2; }
    # --child-silent-after-fork: test_fork's child leaks what it inherited by design (see
    # there); the parent process is checked as every other.
    VALGRIND=(valgrind --error-exitcode=99 --leak-check=full --child-silent-after-fork=yes
        --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
        --suppressions="$SRC/valgrind.supp" --num-callers=30)
fi

# One program: its output in $BUILD/NAME.log.out, its stderr in $BUILD/NAME.log; a line
# "pass NAME" or "fail NAME" in the lane's results.
run() { # results-file, name, command...
    local results="$1" name="$2"
    shift 2
    local log="$BUILD/$name.log"
    echo "-- $name"
    if "$@" >"$log.out" 2>"$log"; then
        echo "pass $name" >>"$results"
    else
        echo "fail $name" >>"$results"
        echo "FAIL: $name (exit $?); see $log"
        sed 's/^/   | /' "$log" | tail -40
        # Valgrind's report (exit 99), when the program ran under it.
        [[ -e "$BUILD/$name.valgrind" ]] && grep -v '^==[0-9]*== *$' "$BUILD/$name.valgrind" | tail -60 | sed 's/^/   v /'
    fi
    grep -h 'passed,\|^SKIP' "$log.out" | sed 's/^/   /' || true
}

# The next program of the queue (PROGRAMS, in order), or nothing when it is empty: lanes
# take programs as they become free, so one slow program does not hold back a lane's share.
next_program() {
    local n
    {
        flock 9
        n="$(<"$BUILD/queue.next")"
        echo $((n + 1)) >"$BUILD/queue.next"
    } 9>"$BUILD/queue.lock"
    if ((n < ${#PROGRAMS[@]})); then echo "${PROGRAMS[n]}"; fi
}

# A lane: programs from the queue (dynamic builds under valgrind, then static builds
# natively) against its own sandbox. Output to $BUILD/laneN/out, shown when all lanes end.
lane() { # number
    local dir="$BUILD/lane$1" t started
    # shellcheck disable=SC1091
    source "$dir/env.sh"
    local results="$dir/results"
    : >"$results"
    while t="$(next_program)" && [[ -n "$t" ]]; do
        started=$SECONDS
        if [[ "$t" == *_static ]]; then
            run "$results" "$t" "$BUILD/$t"
        elif [[ ${#VALGRIND[@]} -gt 0 ]]; then
            run "$results" "$t" "${VALGRIND[@]}" --log-file="$BUILD/$t.valgrind" "$BUILD/$t"
        else
            run "$results" "$t" "$BUILD/$t"
        fi
        echo "   ($((SECONDS - started)) s)"
    done
}

# The longest under valgrind first (measured on 2 loaded cores: test_cargorun 725 s,
# test_ireca ~700 s, the next 190 s), so that the lanes end together.
SLOWEST=(test_cargorun test_ireca)
PROGRAMS=()
for t in "${SLOWEST[@]}"; do [[ -e "$SRC/$t.c" ]] && PROGRAMS+=("$t"); done
for t in "${TESTS[@]}" "${EXAMPLES[@]}"; do
    [[ " ${SLOWEST[*]} " == *" $t "* ]] || PROGRAMS+=("$t")
done
for t in "${TESTS[@]}"; do PROGRAMS+=("${t}_static"); done
echo "== C: ${#PROGRAMS[@]} programs in $LANES lanes, each with its own sandbox; dynamic builds under ${VALGRIND[0]:-no valgrind}, static builds natively"
command -v flock >/dev/null || { echo "flock (util-linux) is needed to share the programs between lanes" >&2; exit 2; }
echo 0 >"$BUILD/queue.next"
LANE_PIDS=()
for ((n = 0; n < LANES; n++)); do
    mkdir -p "$BUILD/lane$n"
    start_sandbox "$BUILD/lane$n"
    echo "   lane $n: sandbox at $(sed -n "s/^export LB_TEST_CARRETA_URL='\(.*\)'/\1/p" "$BUILD/lane$n/env.sh")"
    lane "$n" >"$BUILD/lane$n/out" 2>&1 &
    LANE_PIDS+=("$!")
done
for pid in "${LANE_PIDS[@]}"; do wait "$pid" || true; done
for ((n = 0; n < LANES; n++)); do
    echo "== C: lane $n"
    cat "$BUILD/lane$n/out"
done
passed=$((passed + $(cat "$BUILD"/lane*/results | grep -c '^pass ' || true)))
failed=$((failed + $(cat "$BUILD"/lane*/results | grep -c '^fail ' || true)))
ran=$(cat "$BUILD"/lane*/results | wc -l)
[[ "$ran" -eq ${#PROGRAMS[@]} ]] || fail "only $ran of ${#PROGRAMS[@]} programs reported (a lane ended early)"

if [[ ${#VALGRIND[@]} -gt 0 ]]; then
    SUMMARY="$BUILD/valgrind-summary.txt"
    for t in "${TESTS[@]}" "${EXAMPLES[@]}"; do
        echo "$t:"
        grep -E 'ERROR SUMMARY|All heap blocks|definitely lost|indirectly lost|possibly lost|still reachable' "$BUILD/$t.valgrind" \
            | sed 's/^==[0-9]*== */    /'
    done >"$SUMMARY" 2>/dev/null || true
fi

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
