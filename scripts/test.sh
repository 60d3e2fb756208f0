#!/usr/bin/env bash
# `make test`: set-up, lint and types, then the whole suite on PostgreSQL and on SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh dev
scripts/ensure-system.sh test

mkdir -p var
export AMBITO_TESTING=1
unset AMBITO_DEMO AMBITO_DEBUG DATABASE_URL || true

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> mypy"
.venv/bin/mypy ambito conftest.py
echo "==> migrations are up to date"
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null

pgdir="$(mktemp -d /tmp/ambito-pg.XXXXXX)"
port="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
trap 'scripts/pg.sh stop "$pgdir"' EXIT
echo "==> PostgreSQL (throwaway cluster on port $port)"
scripts/pg.sh start "$pgdir" "$port"

echo "==> pytest on PostgreSQL"
DATABASE_URL="postgres://postgres@127.0.0.1:$port/ambito" .venv/bin/pytest -p no:cacheprovider "$@"

echo "==> pytest on SQLite"
.venv/bin/pytest -p no:cacheprovider -m "not browser" "$@"
