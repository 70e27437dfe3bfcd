#!/usr/bin/env bash
# Sets up (missing Debian packages), configures and builds into build/: by default only what the main job
# (`build/workbook run --all`) needs, the program and the reference solutions' processes; `bash
# scripts/build.sh all` builds everything (the tests, the student kit, mutants, benchmarks, examples).
# Safe to rerun: a second run installs nothing and rebuilds only what changed.
set -euo pipefail
umask 022  # the sandbox users must read the build: the student kit, the solution processes
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target "${1:-workbook_main}"
