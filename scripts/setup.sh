#!/usr/bin/env bash
# Creates .venv with Python >= 3.12 and installs the locked dependencies.
# Usage: scripts/setup.sh base|dev
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-base}"
lock="requirements/${profile}.lock"
stamp=".venv/.installed-${profile}"

find_python() {
  local candidate
  for candidate in python3.13 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  local root
  if command -v pyenv >/dev/null 2>&1; then root="$(pyenv root)"; else root="${PYENV_ROOT:-$HOME/.pyenv}"; fi
  for candidate in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do
    if [ -x "$candidate/bin/python" ] && "$candidate/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
      echo "$candidate/bin/python"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
  python="$(find_python)" || {
    echo "ERRORE: serve Python >= 3.12 (cercato nel PATH e in \$(pyenv root)/versions). Installalo e riprova." >&2
    exit 1
  }
  echo "==> Creating .venv with $python"
  rm -rf .venv
  "$python" -m venv .venv
fi

if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
  echo "==> Installing locked dependencies ($lock)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
  # install (not sync) so that uv itself, installed above, stays in the venv
  .venv/bin/uv pip install --quiet --python .venv/bin/python --require-hashes -r "$lock"
  touch "$stamp"
fi
