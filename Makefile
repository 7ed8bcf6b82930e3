PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# PYTHONWARNINGS: setuptools' editable build prints a boxed warning that reads like a failure
$(STAMP): pyproject.toml | $(BIN)/python
	PYTHONWARNINGS=ignore $(BIN)/pip install -q -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	PYTHONWARNINGS=ignore $(BIN)/pip install -q -e ".[dev]"
	touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/profilegen generate --all --provider offline --org org_structure/sample.yaml --out profiles

lint: $(DEVSTAMP)
	$(BIN)/ruff check profilegen tests bench
	$(BIN)/mypy --strict profilegen

test: lint
	$(BIN)/python -m tests.llama_server
	$(BIN)/python -m tests.browser
	rm -f .coverage .coverage.*
	$(BIN)/coverage run -m pytest tests
	$(BIN)/coverage combine -q
	$(BIN)/coverage report --fail-under=90

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) profiles .profilegen .coverage .coverage.* .mypy_cache .pytest_cache .ruff_cache
