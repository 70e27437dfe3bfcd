#!/usr/bin/env bash
# Installs the Debian 12 packages the workbook needs, and only those that are missing.
# Safe to run any number of times: a second run finds nothing to install and does nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config   # compiler, build system
  patch                                          # mutants are patches on the reference solutions
  libboost-program-options-dev libboost-test-dev # CLI parsing, unit tests
  xtensor-dev libxtensor-blas-dev libopenblas-dev # numerics (BLAS-backed dot)
  nlohmann-json3-dev                             # --json output
  librapidcheck-dev                              # property checks
  libtomlplusplus-dev                            # answers files
  gnuplot-nox                                    # figures (svg, png)
  bubblewrap                                     # the sandbox for students' code
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[[ $(id -u) == 0 ]] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
