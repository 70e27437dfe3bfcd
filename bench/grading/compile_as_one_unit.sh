#!/usr/bin/env bash
# Benchmark (not a test): the reference solutions of every code exercise compiled as a student's files are (the
# student kit's flags and precompiled header), first each file apart, then all of them as one translation unit.
# usage: bash bench/grading/compile_as_one_unit.sh [build-dir]   (after bash scripts/build.sh all)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
kit=$build/student-kit
flags=$(python3 -c "import json, sys; print(' '.join(json.load(open(sys.argv[1]))['compile_flags']))" "$kit/kit.json")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
files=()
for file in solutions/*/*/solution.cpp; do
  id=${file#solutions/}; id=${id%/solution.cpp}
  [ -f "exercises/$id/interface.hpp" ] && files+=("$file")
done
compile() { c++ $flags -I"$kit/include" -include workbook/kit_pch.hpp -c "$1" -o "$work/out.o"; }
milliseconds() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
start=$(date +%s%N)
for file in "${files[@]}"; do compile "$file"; done
echo "${#files[@]} files, each apart: $(milliseconds "$start") ms"
for file in "${files[@]}"; do echo "#include \"$PWD/$file\""; done > "$work/unit.cpp"
start=$(date +%s%N)
compile "$work/unit.cpp"
echo "${#files[@]} files as one translation unit: $(milliseconds "$start") ms"
