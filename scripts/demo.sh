#!/usr/bin/env bash
# `make demo`: set-up, the SQLite database under var/, the demo data once, then gunicorn.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh base
scripts/ensure-system.sh demo
export AMBITO_DEMO=1
export PORT="${PORT:-8000}"
mkdir -p var
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py load_demo --if-empty --persons "${DEMO_PERSONS:-400}"
totp_secret="$(.venv/bin/python -c 'from ambito.demo.personas import DEMO_TOTP_SECRET as s; print(s)')"

cat <<MSG

  Ambito (demo) su http://127.0.0.1:$PORT/
  Accesso: anna, luca, paolo, giulia, marco, elena, admin, sara, dario — password "demo"
  Codice di verifica: app di autenticazione con la chiave $totp_secret,
  oppure: AMBITO_DEMO=1 .venv/bin/python manage.py demo_totp
  (dati interamente fittizi; vedi README.md). Ctrl-C per fermare.

MSG
exec .venv/bin/gunicorn ambito.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
  --access-logfile - --error-logfile -
