#!/usr/bin/env bash
# Starts the debug server for the browser tests on a fresh, seeded SQLite database.
set -euo pipefail
port=${1:-3100}
root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/end2end/.data"
rm -rf "$data" && mkdir -p "$data"
cd "$root"
export DATABASE_URL="sqlite://$data/e2e.db?mode=rwc"
export LEPTOS_SITE_ADDR="127.0.0.1:$port"
export LEPTOS_SITE_ROOT="target/site"
export RUST_LOG="warn"
./target/debug/avatar-crm seed-demo
exec ./target/debug/avatar-crm serve
