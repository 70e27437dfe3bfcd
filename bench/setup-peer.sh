#!/usr/bin/env bash
# Installs the benchmarks' peer, Debian's python3-torch (for /usr/bin/python3), when it is missing.
set -euo pipefail
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y python3-torch
fi
