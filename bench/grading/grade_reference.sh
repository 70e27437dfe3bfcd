#!/usr/bin/env bash
# Benchmark (not a test): grading the reference solutions as a submission, with a cold build cache, a warm
# one (nothing changed), and after editing one file; then what one call through the channel costs.
# Then a small class: copies of that submission, every file of each copy changed by one comment (so no
# build is shared between students), graded with `grade --class`: the machine's time per student.
# usage: bash bench/grading/grade_reference.sh [build-dir] [rounds] [class-size]   (after bash scripts/build.sh all)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rounds=${2:-3}
class_size=${3:-4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
submission=$work/submission
mkdir -p "$submission"
# The reference as a student's files (<collection>/<number>.cpp) and one answers.toml of every table.
for file in solutions/*/*/solution.cpp; do
  id=${file#solutions/}; id=${id%/solution.cpp}
  mkdir -p "$submission/$(dirname "$id")" && cp "$file" "$submission/$id.cpp"
done
for file in solutions/*/*/answers.toml; do
  id=${file#solutions/}; id=${id%/answers.toml}
  printf '[%s."%s"]\n' "${id%%/*}" "${id#*/}"; cat "$file"; echo
done > "$submission/answers.toml"

seconds() {
  local start=$(date +%s%N)
  "$@" > /dev/null
  echo $(( ($(date +%s%N) - start) / 1000000 )) | awk '{ print $1 / 1000 }'
}
printf 'reference as a submission (%s files to build), %s cores, %s rounds:\n' \
  "$(find "$submission" -name '*.cpp' | wc -l)" "$(nproc)" "$rounds"
for round in $(seq "$rounds"); do
  cache=$work/cache-$round
  cold=$(seconds "$build/workbook" grade "$submission" --cache "$cache")
  warm=$(seconds "$build/workbook" grade "$submission" --cache "$cache")
  echo "// edited in round $round" >> "$submission/ch10/10.12.cpp"
  edit=$(seconds "$build/workbook" grade "$submission" --cache "$cache")
  printf '  round %s: cold cache %6.1f s   warm cache %6.1f s   one edit %6.1f s\n' "$round" "$cold" "$warm" "$edit"
done
class=$work/class
for student in $(seq "$class_size"); do
  mkdir -p "$class" && cp -r "$submission" "$class/student$student"
  find "$class/student$student" -name '*.cpp' -exec sh -c 'echo "// student $1" >> "$2"' _ "$student" {} \;
done
TIMEFORMAT='%R'  # wall seconds; the CPU time of sandboxed processes does not reach bash's time, so the machine
                 # time per student is taken as wall x cores / students (the cores are kept busy)
for round in $(seq "$rounds"); do
  rm -rf "$work/reports" "$work/class-cache"
  times=$( { time "$build/workbook" grade --class "$class" --out "$work/reports" --cache "$work/class-cache" \
             > /dev/null 2>&1; } 2>&1 | tail -1)
  echo "$times" | awk -v n="$class_size" -v r="$round" -v cores="$(nproc)" \
    '{ printf "  class of %d, round %d: %.1f s wall, %.1f s of the machine per student (wall x cores / students)\n", n, r, $1, $1 * cores / n }'
done
echo "one call through the channel (manual/3's self_attention), against the same call in process:"
"$build/bench/bench_channel_cost"
