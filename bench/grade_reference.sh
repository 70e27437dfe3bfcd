#!/usr/bin/env bash
# Benchmark (not a test): grading the reference solutions as a submission, with a cold build cache,
# a warm one (nothing changed), and after editing one file. Prints the three wall-clock times.
# usage: bash bench/grade_reference.sh [build-dir]   (after bash scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
submission=$work/submission cache=$work/cache
mkdir -p "$submission"
(cd solutions && find . -name '*.cpp' -exec cp --parents {} "$submission" \;)
cat solutions/*/*.toml > "$submission/answers.toml"

seconds() {
  local start=$(date +%s%N)
  "$@" > /dev/null
  echo $(( ($(date +%s%N) - start) / 1000000 )) | awk '{ print $1 / 1000 }'
}
cold=$(seconds "$build/workbook" grade "$submission" --cache "$cache")
warm=$(seconds "$build/workbook" grade "$submission" --cache "$cache")
echo "// edited" >> "$submission/ch10/10.12.cpp"
edit=$(seconds "$build/workbook" grade "$submission" --cache "$cache")
exercises=$(find "$submission" -name '*.cpp' | wc -l)
printf 'reference as a submission (%s files to build), %s cores:\n' "$exercises" "$(nproc)"
printf '  cold cache   %6.1f s\n  warm cache   %6.1f s\n  one edit     %6.1f s\n' "$cold" "$warm" "$edit"
