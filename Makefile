# Avatar CRM: `make run` (demo on SQLite at http://127.0.0.1:3000) and `make test` (everything).
# Each step installs what is missing and skips what is already there. See docs/build.md for
# why the build uses cargo + wasm-bindgen + Tailwind directly instead of cargo-leptos.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# Baked into the server and the WASM at compile time as well (see .cargo/config.toml).
export LEPTOS_OUTPUT_NAME := avatar
export LEPTOS_SITE_ROOT := target/site
export LEPTOS_SITE_PKG_DIR := pkg

WASM_BINDGEN_VERSION := 0.2.130
PKG := target/site/pkg
BIN := target/debug/avatar-crm

.PHONY: help run test tools rust-tools node-tools chromium postgres site css wasm server build \
        lint unit-and-integration api-contract e2e release wasm-release fingerprint bench clean

help:
	@echo "make run    build, add the demo clinic and serve on SQLite at http://127.0.0.1:3000"
	@echo "make test   fmt, clippy, unit + integration tests on SQLite and PostgreSQL, Playwright"
	@echo "make release  optimised server and WASM (wasm-opt) in target/release + target/site"
	@echo "make bench  contacts benchmarks (search, board SSR, read API vs bare axum+sqlx) on both databases"

## ---- tools (each skips itself when present) ----
tools: rust-tools node-tools

rust-tools:
	@rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (a few minutes, once)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); fi

node_modules/.package-lock.json: package.json package-lock.json
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund

node-tools: node_modules/.package-lock.json

chromium:
	@command -v chromium >/dev/null || { echo "installing Debian's Chromium"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

postgres:
	@scripts/ensure-postgres.sh

## ---- build ----
css: node-tools
	@mkdir -p $(PKG)
	tailwindcss -i style/tailwind.css -o $(PKG)/avatar.css --minify

# The bundle `make run` and the tests serve is the release one (LTO, `wasm-opt -Oz`), so a cold
# page is usable at once and the tests run what ships. `WASM_PROFILE=wasm-dev make build`
# builds a bundle three times larger in seconds after a change, for quick iterations.
WASM_PROFILE ?= wasm-release
wasm: rust-tools node-tools
	cargo build -p frontend --lib --target wasm32-unknown-unknown --profile $(WASM_PROFILE)
	wasm-bindgen --target web --no-typescript --out-dir $(PKG) --out-name avatar \
	  target/wasm32-unknown-unknown/$(WASM_PROFILE)/frontend.wasm
	@if [ "$(WASM_PROFILE)" = wasm-release ]; then \
	  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int -o $(PKG)/avatar.wasm $(PKG)/avatar_bg.wasm; \
	  rm $(PKG)/avatar_bg.wasm; \
	else mv $(PKG)/avatar_bg.wasm $(PKG)/avatar.wasm; fi
	@printf 'WASM (%s): %s bytes, %s bytes gzipped\n' "$(WASM_PROFILE)" "$$(stat -c %s $(PKG)/avatar.wasm)" "$$(gzip -9c $(PKG)/avatar.wasm | wc -c)"

# Content-hashed, precompressed copies of the bundle, and hash.txt beside both server builds
# (they serve the same target/site).
fingerprint: node-tools
	node scripts/fingerprint-assets.mjs $(PKG) target/debug target/release

site: css wasm
	@cp -r public/. target/site/
	@$(MAKE) --no-print-directory fingerprint

server:
	cargo build -p server

build: site server

run: tools build
	$(BIN) seed-demo
	$(BIN) serve

## ---- tests ----
lint:
	cargo fmt --all -- --check
	cargo clippy -p domain -p app -p server -p bench --all-targets -- -D warnings
	cargo clippy -p frontend --lib --target wasm32-unknown-unknown -- -D warnings

unit-and-integration: postgres
	cargo test -p domain -p app -p server

# The REST API against its OpenAPI document (schemathesis from PyPI, every check), both databases
# side by side; each run's output is printed when it ends.
api-contract: postgres server
	@scripts/api-contract.sh install
	@mkdir -p target/api-contract
	@scripts/api-contract.sh sqlite >target/api-contract/sqlite.log 2>&1 & sqlite=$$!; \
	  scripts/api-contract.sh postgres >target/api-contract/postgres.log 2>&1 & postgres=$$!; \
	  status=0; \
	  wait $$sqlite || status=1; echo "=== api-contract sqlite ==="; cat target/api-contract/sqlite.log; \
	  wait $$postgres || status=1; echo "=== api-contract postgres ==="; cat target/api-contract/postgres.log; \
	  exit $$status

e2e: chromium build
	cd end2end && playwright test

test: tools chromium postgres build lint unit-and-integration api-contract e2e

## ---- release ----
wasm-release:
	@$(MAKE) --no-print-directory wasm WASM_PROFILE=wasm-release

release: css wasm-release
	@cp -r public/. target/site/
	@$(MAKE) --no-print-directory fingerprint
	cargo build -p server --release

## ---- benchmarks (release build; PostgreSQL as for the tests) ----
# Figures for the budget in ARCHITECTURE.md; the README quotes a run. Takes about 6 minutes.
bench: postgres
	cargo build -p bench --release
	./target/release/avatar-bench
	@rm -f target/bench/avatar_bench_*.db*

clean:
	cargo clean
	rm -rf node_modules end2end/test-results end2end/playwright-report
