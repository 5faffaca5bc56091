# make demo: create .venv, install chainrule with plots, train the flower demo.
# make test: create .venv, install chainrule with the test extras, run the test suite (one worker per core) twice:
#   1/2 every test, with numba (the fast extra, in the test extras): fit's backend="auto" compiles small models;
#   2/2 the tests of training (fit, the plan, the CLI, the README) with numba hidden (pytest --without-numba, see
#       tests/conftest.py), as on a machine without the fast extra: "auto" takes the NumPy plan.
#   Both run; make test fails if either does. PYTEST_ARGS goes to both.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PYTEST_ARGS ?=
# the test files whose training fit's backend="auto" may hand to the compiled epoch, run again without numba
# (not the classic APIs' tests: they pass backend="numpy", so numba cannot change them)
WITHOUT_NUMBA_TESTS = tests/test_compiled.py tests/test_plan.py tests/test_model.py tests/test_contract.py \
	tests/test_callbacks.py tests/test_schedules.py tests/test_metrics.py tests/test_preprocessing.py \
	tests/test_out_of_core.py tests/test_io.py tests/test_errors.py tests/test_silent_mistakes.py \
	tests/test_bad_inputs.py tests/test_crash_safety.py tests/test_properties.py tests/test_toolkit_end_to_end.py \
	tests/test_hints.py tests/test_sklearn.py tests/test_cli.py tests/test_cli_workflows.py tests/test_readme.py

.PHONY: demo test bench venv clean

venv:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)

demo: venv
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[plot]"
	OPENBLAS_NUM_THREADS=1 $(BIN)/python examples/demo.py

test: venv
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@with=0; without=0; \
	echo "==== make test 1/2: every test, with numba ===="; \
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q -n auto $(PYTEST_ARGS) || with=$$?; \
	echo "==== make test 2/2: the training tests without numba (pytest --without-numba) ===="; \
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q -n auto --without-numba $(PYTEST_ARGS) $(WITHOUT_NUMBA_TESTS) \
		|| without=$$?; \
	echo "==== make test: with numba: pytest exit $$with; without numba: pytest exit $$without ===="; \
	test $$with -eq 0 -a $$without -eq 0

bench: venv
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	OPENBLAS_NUM_THREADS=1 $(BIN)/python bench/run.py --quick

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
