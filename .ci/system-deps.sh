#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when they are missing (runs before `npm test`).
set -euo pipefail
packages=()
command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
# The console's end-to-end test drives Debian's chromium with playwright-core (test/e2e/browser.ts).
[[ -x /usr/bin/chromium ]] || packages+=(chromium)
# Fashion-MNIST for the simulator's data loader (packages/data/src/fashion-mnist.ts reads these gzipped IDX files).
[[ -e /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ]] || packages+=(dataset-fashion-mnist)
# PostgreSQL server binaries: the PostgresStore tests start their own throwaway server (test/support/postgres-server.ts).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || packages+=(postgresql)
# Redis server: the cluster tests start their own throwaway instance on a free port (test/support/redis-server.ts).
[[ -x /usr/bin/redis-server ]] || packages+=(redis-server)
# nginx: the cluster tests run their own instance in front of the nodes (test/support/nginx-server.ts); the package's
# system service, which the install may start, is never used.
[[ -x /usr/sbin/nginx ]] || packages+=(nginx)
((${#packages[@]} == 0)) && exit 0
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need these Debian packages: ${packages[*]}. Install them (apt-get install ${packages[*]}) and rerun." >&2
  exit 1
fi
echo "installing Debian packages: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
