# Two commands for a newcomer: `make run` and `make test`.
# Both create a local virtualenv in .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
AXE_VERSION := 4.11.0
AXE    := .cache/axe/node_modules/axe-core/axe.min.js

.PHONY: run test system-deps axe lint imbor qudt bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Start the service on the demo registry at http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/krb serve --demo

# Bytecode is written whatever the shell says (PYTHONDONTWRITEBYTECODE): otherwise each
# test worker and every krb process a test starts compiles the modules again.
## Run the whole test suite (installs the browser and office suite the tests drive, when root)
test: $(STAMP) system-deps $(AXE)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 2 --dist loadfile

# Headless Chromium (web front tests) and LibreOffice Calc (Excel template test)
# are Debian packages; installed only when missing and only when we may.
system-deps:
	@if command -v chromium >/dev/null && command -v soffice >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing chromium, chromium-driver and libreoffice-calc (once)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends chromium chromium-driver libreoffice-calc >/dev/null; \
	else \
		echo "Note: chromium and/or soffice missing; the browser and LibreOffice tests will be skipped."; \
	fi

# axe-core, the accessibility engine the browser tests run in each page (npm, pinned).
axe: $(AXE)
$(AXE):
	@if command -v npm >/dev/null; then \
		npm install --no-audit --no-fund --silent --prefix .cache/axe axe-core@$(AXE_VERSION) \
		|| echo "Note: could not install axe-core; the accessibility checks will be skipped."; \
	else \
		echo "Note: npm missing; the accessibility checks will be skipped."; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check krbgraph tests bench mappings server.py

imbor: $(STAMP)
	$(BIN)/python mappings/imbor/build.py

qudt: $(STAMP)
	$(BIN)/python mappings/qudt/build.py mappings/qudt/source/qudt-unit-3.1.0.nq.gz

bench: $(STAMP)
	$(BIN)/python bench/queries.py

clean:
	rm -rf $(VENV) var .cache
