#!/usr/bin/env bash
# Debian packages the app and the tests need: Chromium for chart images and its headless shell for the browser
# tests, a Thai font, Pango for PDF reports and poppler-utils to read them back. With the argument
# "postgresql", PostgreSQL's server too (make test-postgres starts a throw-away cluster of it); with "nginx",
# Debian's nginx (the replica test starts its own nginx on a free port: the package's service is not started).
set -euo pipefail
need=()
for wanted in "$@"; do
  case "$wanted" in
    postgresql) compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || need+=(postgresql) ;;
    nginx) [ -x /usr/sbin/nginx ] || need+=(nginx) ;;
    *) echo "install-system-deps: unknown argument $wanted (postgresql, nginx)" >&2; exit 2 ;;
  esac
done
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# the browser tests drive Chromium's headless shell (the same engine, lighter), from the same Debian source
[ -x /usr/lib/chromium/chromium-headless-shell ] || need+=(chromium-headless-shell)
# grep reads all of fc-list's output: with pipefail, grep -q stopping at the first match would kill fc-list
# with SIGPIPE and make the check fail at random, reinstalling a font that is there
fc-list 2>/dev/null | grep -i tlwg >/dev/null || need+=(fonts-thai-tlwg)
# fontconfig's fc-match finds the font of the PDFs' text layer (reports/text_layer.py)
command -v fc-match >/dev/null 2>&1 || need+=(fontconfig)
# WeasyPrint (PDF reports) draws text with Pango; the tests read PDF pages back with poppler's pdftoppm
ldconfig -p 2>/dev/null | grep libpangoft2-1.0 >/dev/null || need+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
  echo "install-system-deps: need ${need[*]} but cannot install without root; browser tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
# Package nginx is the server itself in bookworm and trixie (bookworm's nginx-light only adds a module to it). It
# would start its own server on port 80 (and fail the install if that port is taken): while installing, a policy
# refuses every service start (Debian's own mechanism, policy-rc.d), unless the machine has a policy already
if [[ " ${need[*]} " == *" nginx "* ]] && [ ! -e /usr/sbin/policy-rc.d ]; then
  "${sudo[@]}" sh -c 'printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
  trap '"${sudo[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
fi
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${need[@]}"
# nor at boot: nothing the tests run listens on port 80
if [[ " ${need[*]} " == *" nginx "* ]] && [ -d /run/systemd/system ]; then
  "${sudo[@]}" systemctl disable --quiet nginx || true
fi
