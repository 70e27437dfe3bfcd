#!/usr/bin/env bash
# Sets up, builds and runs every test (Boost.Test suites, wrong-solution runners and CLI checks) with CTest.
# The closing lines say how many tests passed and failed.
set -euo pipefail
umask 022  # the sandbox users must read the build: the student kit, the solution processes
cd "$(dirname "$0")/.."
bash scripts/build.sh all
cd build
status=0
ctest -j "$(nproc)" --output-on-failure --timeout 600 | tee ctest.log || status=$?
passed=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* +Passed' ctest.log || true)
failed=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*(\*\*\*|Failed|Not Run|Timeout)' ctest.log || true)
echo "tests: $passed passed, $failed failed"
exit $status
