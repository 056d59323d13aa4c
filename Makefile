# Two commands for a newcomer: `make run` and `make test`.
# Both create a local virtualenv in .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint imbor bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/krb run

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check krbgraph tests bench mappings server.py

imbor: $(STAMP)
	$(BIN)/python mappings/imbor/build.py

bench: $(STAMP)
	$(BIN)/python bench/queries.py

clean:
	rm -rf $(VENV) var
