#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the browser tests and a Thai font for rendering.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# grep reads all of fc-list's output: with pipefail, grep -q stopping at the first match would kill fc-list
# with SIGPIPE and make the check fail at random, reinstalling a font that is there
fc-list 2>/dev/null | grep -i tlwg >/dev/null || need+=(fonts-thai-tlwg)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
  echo "install-system-deps: need ${need[*]} but cannot install without root; browser tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${need[@]}"
