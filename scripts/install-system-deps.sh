#!/usr/bin/env bash
# Debian packages the test suite needs: PostgreSQL (throw-away cluster), Chromium (browser
# tests, never a downloaded browser), WeasyPrint's libraries and fonts, poppler (PDF checks).
# Idempotent: installs only what is missing. Needs root (CI and these machines run as root).
set -euo pipefail

packages=(
  postgresql
  chromium
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
  poppler-utils
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
echo "system packages: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
