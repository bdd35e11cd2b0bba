#!/usr/bin/env bash
# Install everything the tests need and run the whole suite: lint, types, tests on SQLite and
# PostgreSQL, the HTML report in headless Chromium, and the offline demo as a smoke test.
# Usage: scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

step() { printf '\n== %s\n' "$*"; }

step "Python environment (.venv)"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

if [ "$(id -u)" = 0 ] && { ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK"; }; then
  step "Chromium and CJK fonts from Debian's packages (for the HTML report test)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi

if [ -z "${STMON_TEST_PG_URL:-}" ]; then
  step "PostgreSQL (throwaway server on 127.0.0.1)"
  read -r STMON_TEST_PG_URL PG_DIR < <(scripts/start-postgres.sh) || true
  [ -n "${STMON_TEST_PG_URL:-}" ] || { echo "PostgreSQL did not start (see above)" >&2; exit 1; }
  export STMON_TEST_PG_URL
  trap 'scripts/stop-postgres.sh "$PG_DIR"' EXIT
fi

step "ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check monitor storage notifier
step "mypy (strict: monitor, storage, notifier)"
.venv/bin/mypy
step "pytest (SQLite and PostgreSQL)"
.venv/bin/python -m pytest "$@"
step "stmon demo (smoke test, offline)"
.venv/bin/stmon demo --out "${TMPDIR:-/tmp}/stmon-demo-smoke" >/dev/null
echo "demo ok"
