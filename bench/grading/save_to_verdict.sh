#!/usr/bin/env bash
# Benchmark (not a test): from a save to the verdict for one code exercise, through `workbook watch` and through
# `workbook run ID --submission`, alternately, each save adding one comment to the file (no build cache hit).
# The watcher is timed from the save to the line naming the exercise's outcome, once its initial check of
# everything has finished; `run` works on a copy of the submission that the watcher does not see.
# usage: bash bench/grading/save_to_verdict.sh [build-dir] [exercise] [saves]   (after bash scripts/build.sh all)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(realpath "${1:-build}")
id=${2:-manual/3}
saves=${3:-5}
work=$(mktemp -d)
trap 'kill ${watcher:-} 2>/dev/null || true; rm -rf "$work"' EXIT
chmod 755 "$work"
"$build/workbook" init "$work/sub" > /dev/null
cp "solutions/$id/solution.cpp" "$work/sub/$id.cpp"
cp -r "$work/sub" "$work/sub-run"  # `run` gets its own copy: the watcher never sees its saves

# Each line the watcher prints is stamped by the shell as it arrives ($EPOCHREALTIME, no process started), so
# waiting for it costs nothing: polling the log every 10 ms took 0.45 s off a 2-core machine's compile.
"$build/workbook" watch "$work/sub" --cache "$work/cache" \
  > >(while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done > "$work/log") 2>&1 &
watcher=$!
verdicts() { grep -cF " $id: " "$work/log" || true; }
for _ in $(seq 1200); do grep -qF " checked everything" "$work/log" && break; sleep 0.5; done
printf '%s, %s saves each, %s cores:\n' "$id" "$saves" "$(nproc)"
for save in $(seq "$saves"); do
  sleep 1
  seen=$(verdicts)
  start=$EPOCHREALTIME
  echo "// save $save $RANDOM" >> "$work/sub/$id.cpp"
  until [ "$(verdicts)" -gt "$seen" ]; do sleep 0.5; done
  shown=$(grep -F " $id: " "$work/log" | tail -1 | cut -d' ' -f1)
  watch_s=$(echo "$shown - $start" | bc -l)
  sleep 1
  echo "// save $save $RANDOM" >> "$work/sub-run/$id.cpp"
  start=$EPOCHREALTIME
  "$build/workbook" run "$id" --submission "$work/sub-run" --cache "$work/run-cache" > /dev/null 2>&1 || true
  printf '  save %s: watch %5.2f s   run --submission %5.2f s\n' "$save" "$watch_s" "$(echo "$EPOCHREALTIME - $start" | bc -l)"
done
