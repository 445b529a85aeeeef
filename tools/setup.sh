#!/usr/bin/env bash
# Installs every build, test and benchmark dependency from Debian packages.
# Idempotent and quiet: does nothing (and prints nothing) when all are present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build clang clang-format clang-tidy libclang-rt-14-dev lld
  libboost-context-dev libfmt-dev zlib1g-dev libssl-dev openssl libspdlog-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libedit-dev
  erlang-nox erlang-dev erlang-manpages
  libcaf-dev python3 procps
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
