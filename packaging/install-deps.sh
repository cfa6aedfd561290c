#!/usr/bin/env bash
# Installs exactly the Debian 12 packages tandem needs that are missing.
# Usage: packaging/install-deps.sh [--test]   (--test adds what the test suite needs)
set -euo pipefail

build_pkgs=(
  build-essential cmake pkg-config ninja-build
  libsodium-dev libboost1.81-dev capnproto libcapnp-dev liblmdb-dev lmdb-utils
  libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev libsystemd-dev
  python3
)
test_pkgs=(catch2 nodejs npm iproute2 procps chromium fonts-liberation zsh fish debootstrap)
# The fuzz stage (tests/fuzz/run.sh): clang and its sanitizer and libFuzzer runtimes.
test_pkgs+=(clang libclang-rt-14-dev)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # A binary provided another way (e.g. node from elsewhere) is good enough.
    case "$p" in
      nodejs) command -v node >/dev/null && continue ;;
      npm) command -v npm >/dev/null && continue ;;
      python3) command -v python3 >/dev/null && continue ;;
    esac
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "tandem: installing missing packages: ${missing[*]}" >&2
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
