#!/bin/sh
# expect.sh RC PATTERN COMMAND [ARGS...]: runs COMMAND with ARGS (empty ones kept), and checks
# that it exits with status RC and that its stderr holds a line matching PATTERN (grep -E; an
# empty PATTERN checks nothing). Prints what it got when it fails.
set -u
want_rc=$1
pattern=$2
shift 2
err=$(mktemp)
out=$(mktemp)
"$@" >"$out" 2>"$err"
rc=$?
status=0
if [ "$rc" != "$want_rc" ]; then
  echo "expected exit status $want_rc, got $rc"
  status=1
fi
if [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$err"; then
  echo "stderr has no line matching: $pattern"
  status=1
fi
if [ "$status" != 0 ]; then
  echo "--- stdout:"; head -c 4000 "$out"
  echo "--- stderr:"; head -c 4000 "$err"
fi
rm -f "$err" "$out"
exit "$status"
