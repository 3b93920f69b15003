#!/bin/sh
# progress.sh ECSIM SCENARIO OUT: runs a replication-heavy scenario (over a second) on a
# pseudo-terminal, where ecsim shows its progress on stderr, and checks that a progress line
# with the share done, events per second and the time left appeared, and that it is wiped
# before the summary. Needs script(1), from util-linux.
set -u
ecsim=$1 scenario=$2 out=$3
log=$(mktemp)
script -qec "'$ecsim' run '$scenario' --replications 16 --jobs 1 --until 3000h --out '$out'" /dev/null >"$log" 2>&1
rc=$?
status=0
if [ "$rc" != 0 ]; then echo "ecsim exited $rc"; status=1; fi
if ! grep -Eq '\[ *[0-9]+\.[0-9]%\] [0-9]+\.[0-9]{2} M events/s, [0-9a-z]+ left' "$log"; then
  echo "no progress line (share, events per second, time left)"; status=1
fi
if ! grep -q 'outputs: ' "$log"; then echo "no summary after the progress"; status=1; fi
[ "$status" = 0 ] || { echo "--- output:"; tr '\r' '\n' <"$log" | head -40; }
rm -f "$log"
exit "$status"
