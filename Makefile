# OPPWA server-to-server conformance suite. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

LABELS ?=
PROCS ?=
SHARD ?=

# The run's flags, each only when set, so the report's command reads as the user would type it.
RUNFLAGS = $(if $(LABELS),-labels '$(LABELS)') $(if $(PROCS),-procs '$(PROCS)') $(if $(SHARD),-shard '$(SHARD)') $(if $(BASELINE),-baseline '$(BASELINE)')

# ./conformance builds and runs cmd/conformance; unlike make, it exits with the verdict's
# documented code (0 pass, 1 contract, 2 environment, 3 configuration).
RUN := ./conformance
# The targets that check the project itself always use the embedded sandbox.
EMBEDDED := env -u OPPWA_BASE_URL -u OPPWA_ENTITY_ID -u OPPWA_ACCESS_TOKEN OPPWA_ENV_FILE=/dev/null

.PHONY: help test check unit suites mutation catalogue bench sandbox browser embedded-browser vet merge discover

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'
	@echo "  variables: LABELS='sync && brand:VISA'  PROCS=2  SHARD=1/2  (see README.md)"

test: ## run the conformance suites against the configured target; reports in reports/latest/
	@$(call ensure_browser,,$(RUNFLAGS))
	@$(RUN) run $(RUNFLAGS)

discover: ## probe the configured account: which brands and capabilities it has, printed as a .env block
	@$(RUN) discover

check: embedded-browser vet unit suites mutation ## the project's own tests: vet, unit tests with -race, suites on the embedded sandbox, mutation self-tests

vet: ## gofmt, go vet and actionlint on the nightly workflow
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed on: $$(gofmt -l $$(git ls-files '*.go'))"; exit 1; }
	go vet ./...
	go tool actionlint .github/workflows/*.yml

unit: ## unit tests with the race detector: every package but the suites (make suites runs those)
	go test -race -count=1 $$(go list ./... | grep -v '/suites')

# The async and 3-D Secure specs run a second time on the sandbox's realistic pages (shaped
# after the real test system's), into their own report directory so the first run's report
# stays; the simulator-only specs need controls no public source describes. With LABELS set,
# only the first run.
REALISTIC_LABELS := (async || 3ds) && !simulator-only

suites: ## the conformance suites against the embedded sandbox, then the async and 3-D Secure specs on its realistic pages (reports/latest-realistic/)
	@$(EMBEDDED) $(RUN) run -labels '$(LABELS)'
	@$(if $(LABELS),true,$(EMBEDDED) OPPWA_SANDBOX_PAGES=realistic OPPWA_REPORT_DIR=reports/latest-realistic $(RUN) run -labels '$(REALISTIC_LABELS)')

mutation: ## prove the suites catch every sandbox defect and tolerate additive change and the real platform's documented variations
	@$(EMBEDDED) $(RUN) mutation

catalogue: ## write the conformance catalogue (by flow: ID, MUST, brands, evidence, file:line) to CATALOGUE.md
	@env -u OPPWA_BASE_URL -u OPPWA_BRANDS OPPWA_ENV_FILE=/dev/null $(RUN) catalogue -o CATALOGUE.md

bench: embedded-browser ## benchmarks: flow latencies, full-run wall time, the sandbox's share -> reports/bench.json
	@$(RUN) bench -o reports/bench.json

merge: ## merge sharded reports: make merge SHARDS='reports/shard-1/report.json reports/shard-2/report.json' [BASELINE=reports/previous]
	$(RUN) merge $(if $(BASELINE),-baseline '$(BASELINE)') -o reports/latest $(SHARDS)

sandbox: ## start the standalone sandbox on 127.0.0.1:8080 (ADDR=127.0.0.1:0 for a free port)
	go run ./cmd/oppwa-sandbox -addr $(or $(ADDR),127.0.0.1:8080)

# ensure_browser checks a run's setup first with `conformance browser` (flags,
# configuration; the target's answer to the credentials before an install): a mistake
# stops here with its one line and code, before anything is installed. Only exit 4, "a browser is needed and
# none is installed", installs Debian's chromium-headless-shell (root only).
define ensure_browser
out=$$($(1) $(RUN) browser $(2) 2>&1); rc=$$?; \
if [ $$rc = 0 ]; then exit 0; fi; \
if [ $$rc != 4 ] || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then echo "$$out" >&2; exit $$rc; fi; \
echo "installing Debian package chromium-headless-shell (about 15 s)"; \
(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium-headless-shell) >/tmp/oppwa-browser-install.log 2>&1 \
|| { echo "could not install chromium-headless-shell (see /tmp/oppwa-browser-install.log): install it with apt-get or set CHROME_BIN" >&2; exit 1; }
endef

browser: ## check make test's setup, then install Debian's chromium-headless-shell when no browser is found (root only)
	@$(call ensure_browser,,$(RUNFLAGS))

# The project's own checks run on the embedded sandbox whatever .env says.
embedded-browser:
	@$(call ensure_browser,$(EMBEDDED),)
