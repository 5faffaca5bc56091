# make demo: create .venv, install chainrule with plots, train the flower demo.
# make test: create .venv, install chainrule with the test extras, run the test suite (one worker per core).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test bench venv clean

venv:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)

demo: venv
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[plot]"
	OPENBLAS_NUM_THREADS=1 $(BIN)/python examples/demo.py

test: venv
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q -n auto $(PYTEST_ARGS)

bench: venv
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	OPENBLAS_NUM_THREADS=1 $(BIN)/python bench/run.py --quick

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
