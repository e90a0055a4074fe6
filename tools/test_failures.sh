#!/usr/bin/env bash
# Repeats, at the very end of a failed `make test`, which suites failed and their first
# failure lines: a CI page often shows only the last screen of the output, while each suite's
# report is printed whole, somewhere in the middle, when that suite ends.
#
#   tools/test_failures.sh LOG     (LOG: the whole output of `make test`, as the Makefile keeps it)
set -uo pipefail
LOG="${1:?usage: tools/test_failures.sh LOG}"

# make's own line for a failed recipe: "make[1]: *** [mk/platforms.mk:175: test-windows] Error 1"
# (any make name: gmake, /usr/bin/make). -a: the log may hold NUL bytes or invalid UTF-8.
failed="$(grep -a -E '^[^ ]*make(\[[0-9]+\])?: \*\*\* \[' "$LOG" | sed -n 's/^[^ ]*: \*\*\* \[\([^]]*\)\].*/\1/p' | sort -u)"
names="$(sed 's/.*: //' <<<"$failed" | paste -sd' ')"
echo "== make test FAILED: ${names:-(no suite named; see the log)}"
echo "== the first failure lines (the whole output: $LOG):"
# Our suites say FAIL; pytest FAILED / ERROR; cargo test "panicked at" and "test result:
# FAILED."; compilers "error:" / "error[E…]"; make "No rule to make target" and the like.
grep -a -E '(^|[[:space:]])(FAIL(ED)?|ERROR)([[:space:]:.]|$)|panicked at|^error(\[E[0-9]+\])?:|: error:|\*\*\* [^[]' "$LOG" \
    | grep -a -v -E '(^|[^0-9])0 failed|Waiting for unfinished jobs|ERROR SUMMARY: 0 errors' | tr -d '\r' | awk '!seen[$0]++' | head -n 12 \
    | python3 -c 'import sys
for line in sys.stdin.buffer:
    text = line.decode("utf-8", "replace").rstrip("\n")
    print("   | " + (text[:240] + "…" if len(text) > 240 else text))'
while IFS= read -r where; do
    [[ -n "$where" ]] && echo "== failed: $where"
done <<<"$failed"
echo "== make test FAILED: ${names:-(see the log)}"
