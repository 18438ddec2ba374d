# Casebook: `make serve` and `make test` are all a new machine needs (python3 and make).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
SITE   := build/site
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup build serve test check lint format bench mutate browser node lock clean

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

## Set up, build and serve with live reload on http://127.0.0.1:8000 (ProperDocs, MkDocs'
## maintained continuation, runs the same mkdocs.yml; `.venv/bin/mkdocs serve` still works)
serve: setup
	$(BIN)/properdocs serve --dev-addr 127.0.0.1:8000 --livereload

## Validate the content (the same check the build runs).
check: setup
	$(BIN)/casebook check

## Set up and run every test (browser tests included).
test: setup browser node_modules/.installed
	$(BIN)/python -m pytest -q

# axe-core for the accessibility checks, from the npm registry, at the locked version.
node_modules/.installed: package.json package-lock.json | node
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund && touch $@; \
	elif [ "$$CI" = true ]; then echo "npm is missing, and CI needs it: stopping"; exit 1; \
	else echo "npm is missing: the accessibility and editor tests will skip"; fi

## Debian's Chromium (browser tests) and Node.js with npm (axe-core, the editor check),
## installed when absent. Under CI=true a failed install stops the run with the reason;
## locally the tests that need them skip and say why.
APT_INSTALL = if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	{ $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq
APT_FAILED = >/dev/null; } || { echo "could not install $$PACKAGES"; \
	if [ "$$CI" = true ]; then echo "CI needs them: stopping"; exit 1; fi; \
	echo "the tests that need them will skip"; }

browser:
	@command -v chromium >/dev/null 2>&1 || { PACKAGES=chromium; \
	  echo "installing Debian's chromium for the browser tests"; \
	  $(APT_INSTALL) chromium $(APT_FAILED); }

node:
	@command -v npm >/dev/null 2>&1 || { PACKAGES="nodejs npm"; \
	  echo "installing Debian's nodejs and npm for axe-core and the editor check"; \
	  $(APT_INSTALL) nodejs npm $(APT_FAILED); }

## Lint the Python, and the GitHub workflows (actionlint: syntax and expressions, and each
## run: script through shellcheck; zizmor: injection, permissions, pinning; --offline:
## no GitHub API calls). All three are binaries in wheels, pinned in requirements.lock.
lint: setup
	$(BIN)/ruff check plugins tests benchmarks
	$(BIN)/ruff format --check plugins tests benchmarks
	$(BIN)/actionlint -shellcheck $(BIN)/shellcheck
	$(BIN)/zizmor --offline --quiet .github/workflows

format: setup
	$(BIN)/ruff format plugins tests benchmarks

## Mutation testing of the core (slow; not part of make test): prints the score per module.
mutate: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-mutate.lock
	$(BIN)/python tests/mutate.py

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
