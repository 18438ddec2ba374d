# Casebook: `make serve` and `make test` are all a new machine needs (python3 and make).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
SITE   := build/site
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup build serve test check lint format bench browser lock clean

# Install the locked dependencies once per change of requirements.lock or pyproject.toml.
$(STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*; touch $@

setup: $(STAMP)

## Build the site into build/site (and the search index into build/search_index).
build: setup
	$(BIN)/python -m casebook build

## Set up, build and serve with live reload on http://127.0.0.1:8000
serve: setup
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

## Validate the content (the same check the build runs).
check: setup
	$(BIN)/casebook check

## Set up and run every test (browser tests included).
test: setup browser node_modules/.installed
	$(BIN)/python -m pytest -q

# axe-core for the accessibility checks, from the npm registry, at the locked version.
node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	@touch $@

## Debian's Chromium for the browser tests, installed when absent.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null \
	  || echo "could not install chromium: browser tests will skip (and fail under CI)"; }

lint: setup
	$(BIN)/ruff check plugins tests benchmarks
	$(BIN)/ruff format --check plugins tests benchmarks

format: setup
	$(BIN)/ruff format plugins tests benchmarks

bench: setup
	$(BIN)/python benchmarks/run.py

## Re-pin requirements.lock from pyproject.toml's ranges.
lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet ".[test]" setuptools
	{ echo "# Exact versions shipped and tested. Regenerate: make lock"; \
	  build/lock-venv/bin/pip freeze --exclude-editable | grep -vi '^casebook'; \
	  build/lock-venv/bin/pip freeze --all | grep '^setuptools=='; } > requirements.lock

clean:
	rm -rf build
