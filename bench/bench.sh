#!/usr/bin/env bash
# `make bench`: a throwaway PostgreSQL cluster, the province data set, the benchmark suite.
#
#   make bench                    # 14 Ambiti, about 60,000 cases: 3-15 min to load (by the
#                                 # machine's load), about 13 min of suite
#   make bench SCALE=0.1          # a tenth of the cases: a quick run
#   make bench BENCH_ARGS="--only abe --samples 50"
#
# SEED (1), AMBITI (14), SCALE (1): the data set; BENCH_PORT (5467): the cluster's port;
# BENCH_KEEP=1 keeps the cluster (and its data) after the run, for `bench/run.py` again:
#   AMBITO_DEMO=1 DATABASE_URL=postgres://postgres@127.0.0.1:5467/bench .venv/bin/python bench/run.py
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh base
ls /usr/lib/postgresql/1[5-9]/bin/initdb >/dev/null 2>&1 || scripts/ensure-system.sh test

port="${BENCH_PORT:-5467}"
pgdir="${BENCH_PGDIR:-/tmp/ambito-bench-pg}"
scripts/pg.sh stop "$pgdir"
echo "==> PostgreSQL (throwaway cluster in $pgdir, port $port)"
scripts/pg.sh start "$pgdir" "$port"
if [ "${BENCH_KEEP:-0}" != 1 ]; then
  trap 'scripts/pg.sh stop "$pgdir"' EXIT
fi

unset AMBITO_TESTING AMBITO_DEBUG || true
export AMBITO_DEMO=1 AMBITO_LOG_LEVEL=WARNING
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/bench"
.venv/bin/python - "$port" <<'PY'
import sys

import psycopg

with psycopg.connect(f"postgresql://postgres@127.0.0.1:{sys.argv[1]}/postgres", autocommit=True) as c:
    c.execute("CREATE DATABASE bench")
PY
.venv/bin/python manage.py migrate --noinput -v0
echo "==> Province data set (seed ${SEED:-1}, ${AMBITI:-14} Ambiti, scale ${SCALE:-1})"
.venv/bin/python manage.py load_province --seed "${SEED:-1}" --ambiti "${AMBITI:-14}" \
  --scale "${SCALE:-1}"
echo "==> Benchmark suite"
# shellcheck disable=SC2086  # BENCH_ARGS is a list of options
.venv/bin/python bench/run.py ${BENCH_ARGS:-}
