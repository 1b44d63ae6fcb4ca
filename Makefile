# The two commands of the README's Quick start: `make demo` and `make test`.
# Both create .venv with the Python found on PATH and install what they need into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

## Build the demo company's four board packs into out/ (no network, no credentials).
demo: $(VENV)/.installed
	$(BIN)/boardpack build config.example.toml --out out

## Install the test extras and run the whole suite.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

## Time each stage of the demo build, and FEC reading on a generated 1,000,000-line file.
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/build_demo.py
	$(BIN)/python benchmarks/fec_ingest.py

clean:
	rm -rf $(VENV) out .pytest_cache
