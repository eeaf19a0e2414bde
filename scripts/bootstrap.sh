#!/usr/bin/env bash
# Install what llave-verify needs on Debian 12, idempotently: system packages, uv, the locked
# Python environment (.venv). Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(tesseract-ocr tesseract-ocr-spa poppler-utils redis-server fonts-ocr-b
              libtesseract-dev libleptonica-dev pkg-config g++ cmake libopenblas-dev liblapack-dev
              fonts-liberation fonts-freefont-ttf fonts-noto-core)
if [[ "${LLAVE_WITH_BROWSER:-0}" == 1 ]]; then
  APT_PACKAGES+=(chromium)
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO="sudo"
  echo "bootstrap: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v uv >/dev/null 2>&1 && ! python3 -m uv --version >/dev/null 2>&1; then
  echo "bootstrap: installing uv" >&2
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
source scripts/uv.sh
$UV sync --frozen --quiet --compile-bytecode
