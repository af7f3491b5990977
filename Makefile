# OPPWA server-to-server conformance suite. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

LABELS ?=
PROCS ?=
SHARD ?=
CHROME_BIN ?= /usr/lib/chromium/chromium
export CHROME_BIN

# API-only runs (LABELS containing !browser) need no browser, so nothing is installed for them.
NEEDS_CHROMIUM := $(if $(findstring !browser,$(LABELS)),,chromium)

.PHONY: help test check unit suites mutation catalogue bench sandbox chromium vet merge

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'
	@echo "  variables: LABELS='sync && brand:VISA'  PROCS=2  SHARD=1/2  (see README.md)"

test: $(NEEDS_CHROMIUM) ## run the conformance suites against the configured target; reports in reports/latest/
	@go run ./cmd/conformance run -labels '$(LABELS)' -procs '$(PROCS)' -shard '$(SHARD)'

check: chromium vet unit suites mutation ## the project's own tests: vet, unit tests with -race, suites on the embedded sandbox, mutation self-tests

vet: ## gofmt, go vet and actionlint on the nightly workflow
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed on: $$(gofmt -l $$(git ls-files '*.go'))"; exit 1; }
	go vet ./...
	go tool actionlint .github/workflows/*.yml

unit: ## unit tests with the race detector
	go test -race -count=1 ./fixtures/... ./drivers/... ./sandbox/... ./reports/... ./cmd/...

suites: ## the conformance suites against the embedded sandbox
	@env -u OPPWA_BASE_URL -u OPPWA_ENTITY_ID -u OPPWA_ACCESS_TOKEN OPPWA_ENV_FILE=/dev/null go run ./cmd/conformance run -labels '$(LABELS)'

mutation: ## prove each suite catches every sandbox defect mode and tolerates additive change
	@env -u OPPWA_BASE_URL -u OPPWA_ENTITY_ID -u OPPWA_ACCESS_TOKEN OPPWA_ENV_FILE=/dev/null go run ./cmd/conformance mutation

catalogue: ## write the conformance catalogue (ID, MUST, labels) to CATALOGUE.md
	@env -u OPPWA_BASE_URL -u OPPWA_BRANDS OPPWA_ENV_FILE=/dev/null go run ./cmd/conformance catalogue -o CATALOGUE.md

bench: chromium ## benchmarks: sandbox throughput, flow latencies, full-run wall time -> reports/bench.json
	@go run ./cmd/conformance bench -o reports/bench.json

merge: ## merge sharded reports: make merge SHARDS='reports/shard-1/report.json reports/shard-2/report.json'
	go run ./cmd/conformance merge -o reports/latest $(SHARDS)

sandbox: ## start the standalone sandbox on 127.0.0.1:8080 (ADDR=127.0.0.1:0 for a free port)
	go run ./cmd/oppwa-sandbox -addr $(or $(ADDR),127.0.0.1:8080)

chromium: ## install Debian's chromium when it is missing (root only)
	@if [ -n "$$CHROME_WS_URL" ] || [ -x "$(CHROME_BIN)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian package chromium (about 15 s)"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) >/tmp/oppwa-chromium-install.log 2>&1 \
		|| { echo "could not install chromium (see /tmp/oppwa-chromium-install.log): install Debian package chromium or set CHROME_BIN"; exit 1; }; \
	else echo "Chromium not found at $(CHROME_BIN): install Debian package chromium (apt-get install --no-install-recommends chromium) or set CHROME_BIN"; exit 1; fi
