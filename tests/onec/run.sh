#!/usr/bin/env bash
# Runs the 1C host harness (tests/onec/host.cpp) against the sandbox, under valgrind.
#
#   tests/onec/run.sh [HOST_BINARY]
#
# Environment: CARGO_TARGET_DIR (default: ./target), LB_COMPONENT (the .so to load; default
# the debug build), LB_VALGRIND=0 to run without valgrind,
# LB_LOG (where the harness log is also written; default tests/onec/build/host.log),
# LB_WINE (a wine loader: HOST_BINARY is then the Windows host, LB_COMPONENT a DLL, handed to
# it as a Windows path; tests/onec/run_windows.sh sets it), LB_HOST_TIMEOUT (seconds the
# harness may take, default 900).
#
# The run passes only when the harness exits 0 AND its log has its closing "== N checks, 0 failed"
# AND nothing reports a crash: wine 8 starts winedbg on an unhandled exception and then often
# exits 0, so a page fault during the two seconds after FreeLibrary would otherwise pass.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
HOST="${1:-$ROOT/tests/onec/build/host}"
# Set but empty is a caller's mistake (a package check that extracted nothing), never the
# debug build.
if [[ -n "${LB_COMPONENT+set}" && -z "$LB_COMPONENT" ]]; then
    echo "run.sh: LB_COMPONENT is set but empty (did the package check extract the library?)" >&2
    exit 2
fi
COMPONENT="${LB_COMPONENT:-$TARGET_DIR/debug/liblogibridge_1c.so}"
SANDBOX="$TARGET_DIR/debug/logibridge-sandbox"
LOG="${LB_LOG:-$ROOT/tests/onec/build/host.log}"
mkdir -p "$(dirname "$LOG")"

for f in "$HOST" "$COMPONENT" "$SANDBOX"; do
    [[ -x "$f" || -f "$f" ]] || { echo "run.sh: missing $f (run make build first)" >&2; exit 2; }
done

SANDBOX_OUT="$(mktemp)"
SANDBOX_PID=""
cleanup() {
    if [[ -n "$SANDBOX_PID" ]]; then
        kill "$SANDBOX_PID" 2>/dev/null || true
        wait "$SANDBOX_PID" 2>/dev/null || true
    fi
    rm -f "$SANDBOX_OUT"
}
trap cleanup EXIT INT TERM

"$SANDBOX" --port 0 >"$SANDBOX_OUT" 2>/dev/null &
SANDBOX_PID=$!
for _ in $(seq 1 100); do
    grep -q '^carreta ' "$SANDBOX_OUT" && break
    kill -0 "$SANDBOX_PID" 2>/dev/null || { echo "run.sh: the sandbox exited" >&2; exit 1; }
    sleep 0.1
done
LINE="$(grep -m1 '^carreta ' "$SANDBOX_OUT" || true)"
[[ -n "$LINE" ]] || { echo "run.sh: the sandbox printed no address" >&2; exit 1; }
export LB_CARRETA_URL="$(echo "$LINE" | awk '{print $2}')"
export LB_CARRETA_KEY="$(echo "$LINE" | sed -n 's/.*api_key=\([^ ]*\).*/\1/p')"
IRECA_LINE="$(grep -m1 '^ireca ' "$SANDBOX_OUT" || true)"
[[ -n "$IRECA_LINE" ]] || { echo "run.sh: the sandbox printed no ireca address" >&2; exit 1; }
export LB_IRECA_URL="$(echo "$IRECA_LINE" | awk '{print $2}')"
export LB_IRECA_TOKEN="$(echo "$IRECA_LINE" | sed -n 's/.*token=\([^ ]*\).*/\1/p')"
CARGORUN_LINE="$(grep -m1 '^cargorun ' "$SANDBOX_OUT" || true)"
[[ -n "$CARGORUN_LINE" ]] || { echo "run.sh: the sandbox printed no cargorun address" >&2; exit 1; }
export LB_CARGORUN_URL="$(echo "$CARGORUN_LINE" | awk '{print $2}')"
export LB_CARGORUN_USERNAME="$(echo "$CARGORUN_LINE" | sed -n 's/.*username=\([^ ]*\).*/\1/p')"
export LB_CARGORUN_PASSWORD="$(echo "$CARGORUN_LINE" | sed -n 's/.*password=\([^ ]*\).*/\1/p')"
export LB_COMPONENT="$COMPONENT"
if [[ -n "${LB_WINE:-}" ]]; then
    # wine's drive Z: is the Unix root.
    export LB_COMPONENT="Z:${COMPONENT//\//\\}"
fi
echo "run.sh: sandbox at $LB_CARRETA_URL (pid $SANDBOX_PID); component $COMPONENT"

RUNNER=()
if [[ -n "${LB_WINE:-}" ]]; then
    RUNNER=("$LB_WINE")
elif [[ "${LB_VALGRIND:-1}" != "0" ]]; then
    command -v valgrind >/dev/null || { echo "run.sh: valgrind is required (LB_VALGRIND=0 to skip)" >&2; exit 2; }
    RUNNER=(valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect
            --show-leak-kinds=definite,indirect --track-origins=yes --num-callers=30)
fi

set +e
timeout --kill-after=10 "${LB_HOST_TIMEOUT:-900}" "${RUNNER[@]}" "$HOST" 2>&1 | tee "$LOG"
STATUS=${PIPESTATUS[0]}
set -e
echo "run.sh: harness exit status $STATUS (log: $LOG)"
if [[ $STATUS == 124 || $STATUS == 137 ]]; then
    echo "run.sh: FAIL the harness did not finish within ${LB_HOST_TIMEOUT:-900} s" >&2
    exit 1
fi
[[ $STATUS == 0 ]] || exit "$STATUS"
# wine: "wine: Unhandled page fault …", "Unhandled exception: …" (winedbg); Linux: the
# kernel's signal ends the process with a status of its own, caught above.
if grep -qE '^wine: Unhandled|Unhandled exception|Backtrace:' "$LOG"; then
    echo "run.sh: FAIL a crash was reported (see $LOG)" >&2
    exit 1
fi
# (The Windows host writes CRLF.)
if ! grep -qE $'^== [0-9]+ checks, 0 failed\r?$' "$LOG"; then
    echo "run.sh: FAIL the harness did not reach its closing line '== N checks, 0 failed' (see $LOG)" >&2
    exit 1
fi
