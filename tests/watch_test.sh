#!/usr/bin/env bash
# `workbook watch`, end to end: a scaffold is watched, the reference solution of one exercise is saved
# into it (while the background check of everything may still run), and the watcher must report that
# exercise as passing and name the next unfinished one.
# usage: watch_test.sh WORKBOOK SOURCE_DIR CACHE_DIR
set -euo pipefail
workbook=$1 source=$2 cache=$3
work=$(mktemp -d)
trap 'kill $watcher 2>/dev/null || true; rm -rf "$work"' EXIT
chmod 755 "$work"
"$workbook" init "$work/sub" --collection ch10 > /dev/null
"$workbook" watch "$work/sub" --cache "$cache" > "$work/log" 2>&1 &
watcher=$!
for _ in $(seq 60); do grep -q "^watching" "$work/log" && break; sleep 1; done
cp "$source/solutions/ch10/10.12/solution.cpp" "$work/sub/ch10/10.12.cpp"
for _ in $(seq 120); do
  if grep -q "^ch10/10.12: pass" "$work/log" && grep -q "^next: ch10/10.1 " "$work/log"; then
    echo "watch reported the pass and the next exercise"
    exit 0
  fi
  sleep 1
done
echo "watch did not report a pass within 2 minutes; its output:"
cat "$work/log"
exit 1
