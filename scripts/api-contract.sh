#!/usr/bin/env bash
# The REST API against its own OpenAPI document: schemathesis (PyPI) generates requests from
# the document, sends them to a real server on a fresh demo database, and checks every answer
# (status codes, bodies, content types, refusals of invalid input, acceptance of valid input).
# Usage: scripts/api-contract.sh [sqlite|postgres] [max examples per operation]
#        scripts/api-contract.sh install   (only installs schemathesis into target/)
set -euo pipefail
backend=${1:-sqlite}
examples=${2:-${API_CONTRACT_EXAMPLES:-20}}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

venv=target/schemathesis-venv
if [ "${1:-}" = install ]; then
  if [ ! -x "$venv/bin/schemathesis" ] || [ "$("$venv/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version 4.32.5" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check schemathesis==4.32.5
  fi
  exit 0
fi
"$root/scripts/api-contract.sh" install

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
case "$backend" in
  sqlite) export DATABASE_URL="sqlite://$work/contract.db?mode=rwc" ;;
  postgres)
    db="avatar_contract_$(date +%s%N)"
    admin=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
    psql -q "$admin" -c "CREATE DATABASE \"$db\""
    export DATABASE_URL="${admin%/*}/$db"
    ;;
  *) echo "usage: $0 [sqlite|postgres] [examples]" >&2; exit 2 ;;
esac
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  [ "$backend" = postgres ] && psql -q "$admin" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT

export LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn
bin=target/debug/avatar-crm
"$bin" seed-demo >/dev/null
token=$("$bin" create-api-token --email admin@avatar.test --name api-contract | tail -n 1)
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
python3 - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=1)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("the server did not answer /health within 30 s")
PY

# The run's own token must survive it, so revoking tokens is left out. One worker: with two,
# Hypothesis parses lambda sources in two threads at once and CPython 3.11's ast module can
# fail with "AST constructor recursion depth mismatch" (python/cpython#106905); `make
# api-contract` runs the two databases side by side instead.
status=0
"$venv/bin/schemathesis" --config-file scripts/schemathesis.toml run \
  "http://127.0.0.1:$port/api/v1/openapi.json" \
  -H "Authorization: Bearer $token" \
  --checks all \
  --max-examples "$examples" \
  --exclude-path "/api-tokens/{id}" \
  --seed "${API_CONTRACT_SEED:-20261201}" \
  --no-color \
  --workers 1 || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log ---"; tail -n 50 "$work/server.log"
fi
exit "$status"
