#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium (browser tests, driven by Playwright; never a
# downloaded browser) and a CJK font (Chinese in the report charts). Installed when missing.
set -u
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
  || { $SUDO apt-get update >/dev/null 2>&1 && $SUDO apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; } \
  || { echo "could not install ${need[*]}; install them with apt-get" >&2; exit 1; }
