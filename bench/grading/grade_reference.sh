#!/usr/bin/env bash
# Benchmark (not a test): grading the reference solutions as a submission, with a cold build cache, a warm
# one (nothing changed), and after editing one file; then what one call through the channel costs.
# Then a small class: copies of that submission, every file of each copy changed by one comment (so no
# build is shared between students), graded with `grade --class`: the machine's time per student.
# usage: bash bench/grading/grade_reference.sh [build-dir] [rounds] [class-size] [id-regex]   (after bash scripts/build.sh all)
# id-regex keeps the exercises whose id matches (bash =~), e.g. the 29 of the day grading speed was first measured:
#   '^(manual/|topic10/|ch10/10\.(1|12|2|5|6)$|ch13/13\.11$)'
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rounds=${2:-3}
class_size=${3:-4}
only=${4:-.}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
submission=$work/submission
mkdir -p "$submission"
# The reference as a student's files (<collection>/<number>.cpp) and one answers.toml of every table.
for file in solutions/*/*/solution.cpp; do
  id=${file#solutions/}; id=${id%/solution.cpp}
  [[ $id =~ $only ]] || continue
  mkdir -p "$submission/$(dirname "$id")" && cp "$file" "$submission/$id.cpp"
done
for file in solutions/*/*/answers.toml; do
  id=${file#solutions/}; id=${id%/answers.toml}
  [[ $id =~ $only ]] || continue
  printf '[%s."%s"]\n' "${id%%/*}" "${id#*/}"; cat "$file"; echo
done > "$submission/answers.toml"

# Wall seconds of a command, then the CPU seconds the whole machine spent meanwhile (/proc/stat: the sandboxed
# compilers and solution processes are not bash's children, so bash's own `time` misses them). Run it on an
# otherwise idle machine.
busy_seconds() { awk '/^cpu / { print ($2 + $3 + $4 + $7 + $8) / 100 }' /proc/stat; }
seconds() {
  local start=$EPOCHREALTIME busy=$(busy_seconds)
  "$@" > /dev/null 2>&1 || true
  echo "$EPOCHREALTIME $start $(busy_seconds) $busy" | awk '{ printf "%.1f %.1f\n", $1 - $2, $3 - $4 }'
}
printf 'reference as a submission (%s files to build), %s cores, %s rounds:\n' \
  "$(find "$submission" -name '*.cpp' | wc -l)" "$(nproc)" "$rounds"
edited=$(find "$submission" -name '*.cpp' | sort | head -1)  # the file changed before the "one edit" run
for round in $(seq "$rounds"); do
  cache=$work/cache-$round
  read -r cold cold_cpu < <(seconds "$build/workbook" grade "$submission" --cache "$cache")
  read -r warm warm_cpu < <(seconds "$build/workbook" grade "$submission" --cache "$cache")
  echo "// edited in round $round" >> "$edited"
  read -r edit edit_cpu < <(seconds "$build/workbook" grade "$submission" --cache "$cache")
  printf '  round %s (wall / CPU): cold cache %5.1f / %5.1f s   warm cache %5.1f / %5.1f s   one edit %5.1f / %5.1f s\n' \
    "$round" "$cold" "$cold_cpu" "$warm" "$warm_cpu" "$edit" "$edit_cpu"
done
class=$work/class
for student in $(seq "$class_size"); do
  mkdir -p "$class" && cp -r "$submission" "$class/student$student"
  find "$class/student$student" -name '*.cpp' -exec sh -c 'echo "// student $1" >> "$2"' _ "$student" {} \;
done
for round in $(seq "$rounds"); do
  rm -rf "$work/reports" "$work/class-cache"
  read -r wall cpu < <(seconds "$build/workbook" grade --class "$class" --out "$work/reports" --cache "$work/class-cache")
  echo "$wall $cpu" | awk -v n="$class_size" -v r="$round" \
    '{ printf "  class of %d, round %d: %.1f s wall, %.1f s of CPU per student\n", n, r, $1, $2 / n }'
done
echo "one call through the channel (manual/3's self_attention), against the same call in process:"
"$build/bench/bench_channel_cost"
