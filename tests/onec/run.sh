#!/usr/bin/env bash
# Runs the 1C host harness (tests/onec/host.cpp) against the sandbox, under valgrind.
#
#   tests/onec/run.sh [HOST_BINARY]
#
# Environment: CARGO_TARGET_DIR (default: ./target), LB_COMPONENT (the .so to load; default
# the debug build), LB_VALGRIND=0 to run without valgrind,
# LB_LOG (where the harness log is also written; default tests/onec/build/host.log),
# LB_WINE (a wine loader: HOST_BINARY is then the Windows host, LB_COMPONENT a DLL, handed to
# it as a Windows path; tests/onec/run_windows.sh sets it).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
HOST="${1:-$ROOT/tests/onec/build/host}"
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
"${RUNNER[@]}" "$HOST" 2>&1 | tee "$LOG"
STATUS=${PIPESTATUS[0]}
set -e
echo "run.sh: harness exit status $STATUS (log: $LOG)"
exit "$STATUS"
