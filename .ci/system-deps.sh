#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when they are missing (runs before `npm test`).
set -euo pipefail
packages=()
command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
((${#packages[@]} == 0)) && exit 0
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need these Debian packages: ${packages[*]}. Install them (apt-get install ${packages[*]}) and rerun." >&2
  exit 1
fi
echo "installing Debian packages: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
