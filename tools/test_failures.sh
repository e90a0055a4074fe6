#!/usr/bin/env bash
# Repeats, at the very end of a failed `make test`, which suites failed and their first
# failure lines: a CI page often shows only the last screen of the output, while each suite's
# report is printed whole, somewhere in the middle, when that suite ends.
#
#   tools/test_failures.sh LOG     (LOG: the whole output of `make test`, as the Makefile keeps it)
set -uo pipefail
LOG="$1"

# make's own line for a failed recipe: "make[1]: *** [mk/platforms.mk:175: test-windows] Error 1".
failed="$(sed -n 's/^make\(\[[0-9]*\]\)\{0,1\}: \*\*\* \[\([^]]*\)\] .*/\2/p' "$LOG" | sort -u)"
names="$(sed 's/.*: //' <<<"$failed" | paste -sd' ')"
echo "== make test FAILED: ${names:-(no suite named; see the log)}"
echo "== the first failure lines (the whole output: $LOG):"
# Our suites say FAIL; pytest FAILED; cargo test "panicked at" and "test result: FAILED";
# compilers "error:" / "error[E…]".
grep -E '(^|[[:space:]])FAIL(ED)?([[:space:]:]|$)|panicked at|^error(\[E[0-9]+\])?:|: error:' "$LOG" \
    | grep -v -E '0 failed' | awk '!seen[$0]++' | head -n 12 | cut -c1-240 | sed 's/^/   | /'
while IFS= read -r where; do
    [[ -n "$where" ]] && echo "== failed: $where"
done <<<"$failed"
echo "== make test FAILED: ${names:-(see the log)}"
