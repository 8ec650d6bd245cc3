#!/usr/bin/env bash
# Installs everything Whale needs on a Debian 12 machine: build tools and libraries from apt, and the
# Python test tools into .venv (never the system Python). Idempotent and quiet when all is present.
#   --oracle   also create .venv-oracle with torch + transformers (only to regenerate goldens; large)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(build-essential cmake ninja-build pkg-config python3-venv
              nlohmann-json3-dev libcpp-httplib-dev libpcre2-dev libcli11-dev
              libgtest-dev libgmock-dev libbenchmark-dev libedit-dev ccache
              clang libclang-rt-14-dev libsimde-dev)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

make_venv() {  # make_venv DIR REQUIREMENTS
  local dir=$1 req=$2 stamp="$1/.requirements.sha"
  local want; want=$(sha256sum "$req" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  echo "install-deps: preparing $dir from $req"
  [ -x "$dir/bin/python" ] || python3 -m venv "$dir"
  "$dir/bin/python" -m pip install -q --upgrade pip
  "$dir/bin/python" -m pip install -q -r "$req"
  echo "$want" > "$stamp"
}

make_venv .venv scripts/requirements-test.txt
if [[ "${1:-}" == "--oracle" ]]; then
  make_venv .venv-oracle scripts/requirements-oracle.txt
fi
