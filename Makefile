# The two commands of the README's Quick start: `make demo` and `make test`.
# Both create .venv with the Python found on PATH and install what they need into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The example plugins of plugins/ (one installable package per folder).
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(sort $(wildcard plugins/*/pyproject.toml)))

.PHONY: demo test plugins-demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# boardpack and the example plugins, editable, in one pip run (reinstalled when a pyproject changes).
$(VENV)/.installed-plugins: pyproject.toml $(PLUGIN_DIRS:%=%/pyproject.toml) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e . $(addprefix -e ,$(PLUGIN_DIRS))
	touch $@ $(VENV)/.installed

$(VENV)/.installed-test: pyproject.toml $(PLUGIN_DIRS:%=%/pyproject.toml) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]' $(addprefix -e ,$(PLUGIN_DIRS))
	touch $@ $(VENV)/.installed $(VENV)/.installed-plugins

## Build the demo company's four board packs into out/ (no network, no credentials).
demo: $(VENV)/.installed
	$(BIN)/boardpack build config.example.toml --out out

## Install the test extras and the example plugins, run the whole suite and each plugin's tests.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

## Build the demo with the four example plugins (Excel budget, SaaS KPIs, concentration, webhook) into out/plugins/.
plugins-demo: $(VENV)/.installed-plugins
	$(BIN)/boardpack build config.plugins.example.toml --out out/plugins

## Time each stage of the demo build, FEC reading on a generated 1,000,000-line file, and the
## connectors' rate limiters against the emulators of tests/emulators/ (about 100 s).
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/build_demo.py
	$(BIN)/python benchmarks/fec_ingest.py
	$(BIN)/python benchmarks/rate_limits.py

clean:
	rm -rf $(VENV) out .pytest_cache
