#!/usr/bin/env bash
# Installs what the tests need from Debian when missing: chromium (browser tests), the
# PostgreSQL 15 server binaries and Pango (WeasyPrint's PDFs). Needs root (or passwordless sudo) only when something is missing.
set -euo pipefail

# Usage: scripts/ensure-system.sh [test|demo]; the demo needs only what PDFs need.
profile="${1:-test}"
missing=()
if [ "$profile" = test ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  ls /usr/lib/postgresql/1[5-9]/bin/initdb >/dev/null 2>&1 || missing+=(postgresql-15)
fi
# WeasyPrint (PDF documents) lays out text with Pango.
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
  echo "ERRORE: mancano ${missing[*]} e non ho i permessi per installarli (serve root o sudo)." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ERRORE: mancano ${missing[*]}; installali con il gestore di pacchetti del sistema (apt-get non c'è)." >&2
  exit 1
fi
echo "==> Installing from Debian: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
