#!/usr/bin/env bash
# The C face's tests (called by `make test-c`; needs `make build` first):
#   1. the committed header compiles warning-free as C99 and as C++;
#   2. every tests/c/test_*.c is built twice, linked against liblogibridge.so and
#      liblogibridge.a;
#   3. the programs are shared out over lanes (LB_C_LANES, default 2), each with its own
#      sandbox (logibridge-sandbox --port 0) whose addresses reach the tests through
#      LB_TEST_CARRETA_URL / _KEY, LB_TEST_IRECA_URL / _TOKEN, LB_TEST_CARGORUN_URL /
#      _USERNAME / _PASSWORD, and its own LB_TEST_TMPDIR;
#   4. the dynamic builds run under a memory checker (zero errors, zero definite/indirect
#      leaks), the static builds natively; the examples are built and run too.
#
# The checker (LB_C_CHECK): `mixed` (the default) runs the programs named in VALGRIND_PROGRAMS
# below under valgrind and builds the others with AddressSanitizer + LeakSanitizer (gcc's
# -fsanitize=address); `valgrind` runs every dynamic build under valgrind (as `make test` did
# until it outgrew its 25 minutes: valgrind is 20-50x slower than native, ASan about 2x);
# `asan` builds every one with ASan; `none` runs them natively. What each catches here: both
# interpose malloc and free, so a handle freed twice, a string freed with the wrong function,
# a leaked handle or error, and the C side's reads and writes out of bounds or after free
# fail either way. Valgrind alone also sees reads of uninitialised memory and the Rust
# library's own accesses (ASan instruments only the C program): it keeps the programs that
# test the boundary itself (null pointers, lengths, wrong handles, threads).
#
# Environment: DEBUG_DIR (default target/debug: the libraries and the sandbox), CC, CXX,
# LB_C_CHECK (above; LB_VALGRIND=0 is LB_C_CHECK=none), LB_C_LANES (default 2), LB_C_LIB_DIR
# (the liblogibridge.so the dynamic builds link, default DEBUG_DIR), LB_C_STATIC=0 (no static
# builds), LB_C_BUILD (the build folder, default tests/c/build; emptied first).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DEBUG_DIR="${DEBUG_DIR:-$ROOT/target/debug}"
CC="${CC:-gcc}"
CXX="${CXX:-g++}"
BUILD="${LB_C_BUILD:-$ROOT/tests/c/build}"
SRC="$ROOT/tests/c"
INCLUDE="$ROOT/include"
# The dynamic builds link the library of LB_C_LIB_DIR (default DEBUG_DIR): make test-windows
# points it at the packaged glibc-2.17 build.
LIB_DIR="${LB_C_LIB_DIR:-$DEBUG_DIR}"
LIB_SO="$LIB_DIR/liblogibridge.so"
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
"$CC" $CFLAGS "$SRC/header_check.c" -o "$BUILD/header_check_c" -L"$LIB_DIR" -llogibridge -Wl,-rpath,"$LIB_DIR"
"$CXX" $CXXFLAGS "$SRC/header_check.cpp" -o "$BUILD/header_check_cpp" -L"$LIB_DIR" -llogibridge -Wl,-rpath,"$LIB_DIR"
"$BUILD/header_check_c" && pass || fail header_check_c
"$BUILD/header_check_cpp" && pass || fail header_check_cpp

CHECK="${LB_C_CHECK:-mixed}"
[[ "${LB_VALGRIND:-1}" == 0 ]] && CHECK=none
VALGRIND_PROGRAMS=(test_errors test_rails test_threads)
# The checker of dynamic build $1: valgrind, asan or none.
checker_of() {
    case "$CHECK" in
        mixed) if [[ " ${VALGRIND_PROGRAMS[*]} " == *" $1 "* ]]; then echo valgrind; else echo asan; fi ;;
        valgrind | asan | none) echo "$CHECK" ;;
        *) echo "LB_C_CHECK must be mixed, valgrind, asan or none, got '$CHECK'" >&2; exit 2 ;;
    esac
}
checker_of test_errors >/dev/null
ASAN_FLAGS="-fsanitize=address -fno-omit-frame-pointer"
# The flags that build dynamic program $1 for its checker.
check_flags() { [[ "$(checker_of "$1")" == asan ]] && echo "$ASAN_FLAGS" || true; }

echo "== C: building the tests, dynamic and static"
TESTS=()
for src in "$SRC"/test_*.c; do
    name="$(basename "$src" .c)"
    TESTS+=("$name")
    # shellcheck disable=SC2046
    "$CC" $CFLAGS $(check_flags "$name") "$src" -o "$BUILD/$name" -L"$LIB_DIR" -llogibridge -Wl,-rpath,"$LIB_DIR" -lpthread
    [[ "${LB_C_STATIC:-1}" == 0 ]] || "$CC" $CFLAGS "$src" -o "$BUILD/${name}_static" "$LIB_A" $STATIC_LIBS
done
EXAMPLES=()
for src in "$ROOT"/examples/c/*.c; do
    [[ -e "$src" ]] || continue
    name="example_$(basename "$src" .c)"
    EXAMPLES+=("$name")
    # shellcheck disable=SC2046
    "$CC" $CFLAGS $(check_flags "$name") "$src" -o "$BUILD/$name" -L"$LIB_DIR" -llogibridge -Wl,-rpath,"$LIB_DIR"
done
# grep reads all of ldd's output (no -q): leaving at the first match can end ldd with SIGPIPE,
# which pipefail takes for a failure (it failed a clean-clone run once).
if [[ "${LB_C_STATIC:-1}" != 0 ]] && ldd "$BUILD/${TESTS[0]}_static" | grep liblogibridge >/dev/null; then
    fail "the static build links liblogibridge.so"
fi
ldd "$BUILD/${TESTS[0]}" | grep "=> $LIB_DIR/liblogibridge.so" >/dev/null || fail "the dynamic build does not load $LIB_DIR/liblogibridge.so"

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

VALGRIND=(valgrind --error-exitcode=99 --leak-check=full --child-silent-after-fork=yes
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
    --suppressions="$SRC/valgrind.supp" --num-callers=30)
for t in "${TESTS[@]}" "${EXAMPLES[@]}"; do
    if [[ "$(checker_of "$t")" == valgrind ]]; then
        command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind, or LB_C_CHECK=asan)" >&2; exit 2; }
        break
    fi
done
# --child-silent-after-fork's counterpart: test_fork's child leaves with _exit, which skips
# LeakSanitizer's check at exit, so it too is checked in the parent only. Each process
# writes its report to NAME.asan.PID; exit status 99 as valgrind's.
ASAN_RUN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=99:abort_on_error=0"

# The checkers are tried first on tests/c/checker_canary.c: a leaked error object and a read
# after lb_error_free must each fail the run (status 99, the checker's report). A checker
# that missed them would let every program below pass unchecked.
canary_expect() { # checker, mode, text its report must hold
    local checker="$1" mode="$2" text="$3" log="$BUILD/canary-$1-$2.log" status=0
    case "$checker" in
        valgrind) "${VALGRIND[@]}" "$BUILD/canary_valgrind" "$mode" >"$log" 2>&1 || status=$? ;;
        asan) ASAN_OPTIONS="$ASAN_RUN_OPTIONS" "$BUILD/canary_asan" "$mode" >"$log" 2>&1 || status=$? ;;
    esac
    if [[ $status == 99 ]] && grep -q "$text" "$log"; then
        echo "   $checker caught the canary's $mode"
        pass
    else
        fail "$checker did not catch checker_canary $mode (status $status, no '$text'; see $log)"
    fi
}
echo "== C: the memory checkers catch a leak and a use after free"
for checker in valgrind asan; do
    used=0
    for t in "${TESTS[@]}" "${EXAMPLES[@]}"; do [[ "$(checker_of "$t")" == "$checker" ]] && used=1; done
    [[ $used == 1 ]] || continue
    # shellcheck disable=SC2046
    "$CC" $CFLAGS $([[ $checker == asan ]] && echo "$ASAN_FLAGS") "$SRC/checker_canary.c" -o "$BUILD/canary_$checker" \
        -L"$LIB_DIR" -llogibridge -Wl,-rpath,"$LIB_DIR"
    if [[ $checker == valgrind ]]; then
        canary_expect valgrind leak "definitely lost: [1-9]"
        canary_expect valgrind use-after-free "Invalid read"
    else
        canary_expect asan leak "ERROR: LeakSanitizer: detected memory leaks"
        canary_expect asan use-after-free "ERROR: AddressSanitizer: heap-use-after-free"
    fi
done


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
        # The checker's report (exit 99).
        [[ -e "$BUILD/$name.valgrind" ]] && grep -v '^==[0-9]*== *$' "$BUILD/$name.valgrind" | tail -60 | sed 's/^/   v /'
        cat "$BUILD/$name".asan.* 2>/dev/null | head -80 | sed 's/^/   a /' || true
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
        else
            case "$(checker_of "$t")" in
                valgrind) run "$results" "$t" "${VALGRIND[@]}" --log-file="$BUILD/$t.valgrind" "$BUILD/$t" ;;
                asan) run "$results" "$t" env ASAN_OPTIONS="$ASAN_RUN_OPTIONS:log_path=$BUILD/$t.asan" "$BUILD/$t" ;;
                *) run "$results" "$t" "$BUILD/$t" ;;
            esac
        fi
        echo "   ($((SECONDS - started)) s)"
    done
}

# The longest first, so that the lanes end together (LB_C_CHECK=mixed, 2 cores shared with
# the other suites: test_rails 32 s under valgrind, test_ireca 25 s with ASan, test_cargorun
# 11 s, test_errors 10 s; everything under valgrind, test_cargorun and test_ireca took
# 400-700 s each).
SLOWEST=(test_rails test_ireca test_cargorun test_errors)
PROGRAMS=()
for t in "${SLOWEST[@]}"; do [[ -e "$SRC/$t.c" ]] && PROGRAMS+=("$t"); done
for t in "${TESTS[@]}" "${EXAMPLES[@]}"; do
    [[ " ${SLOWEST[*]} " == *" $t "* ]] || PROGRAMS+=("$t")
done
[[ "${LB_C_STATIC:-1}" == 0 ]] || for t in "${TESTS[@]}"; do PROGRAMS+=("${t}_static"); done
echo "== C: ${#PROGRAMS[@]} programs in $LANES lanes, each with its own sandbox; dynamic builds checked (LB_C_CHECK=$CHECK), static builds natively"
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

# Each dynamic build's checker and what it said.
SUMMARY="$BUILD/check-summary.txt"
for t in "${TESTS[@]}" "${EXAMPLES[@]}"; do
    case "$(checker_of "$t")" in
        valgrind)
            echo "$t (valgrind):"
            grep -E 'ERROR SUMMARY|All heap blocks|definitely lost|indirectly lost|possibly lost|still reachable' "$BUILD/$t.valgrind" \
                | sed 's/^==[0-9]*== */    /' || true ;;
        asan)
            reports=$(cat "$BUILD/$t".asan.* 2>/dev/null | grep -cE '^==[0-9]+==ERROR' || true)
            echo "$t (AddressSanitizer + LeakSanitizer): $reports reports" ;;
        *) echo "$t: not checked (LB_C_CHECK=none)" ;;
    esac
done >"$SUMMARY"

# Every check inside the programs, added up.
checks_passed=0
checks_failed=0
while read -r p f; do
    checks_passed=$((checks_passed + p))
    checks_failed=$((checks_failed + f))
done < <(cat "$BUILD"/*.log.out | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')

echo "== C: memory checkers"
cat "$SUMMARY"
echo "== C: $checks_passed checks passed, $checks_failed failed in the programs"
echo "c: $passed passed, $failed failed"
[[ $failed -eq 0 && $checks_failed -eq 0 ]]
