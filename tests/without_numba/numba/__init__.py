"""A stand-in for numba that cannot be imported: the test run without numba (``pytest --without-numba``).

tests/conftest.py puts tests/without_numba/ first on the path of the test process and, through
PYTHONPATH, of every process it starts, so ``import numba`` finds this package and fails as it would
on a machine without the ``fast`` extra, while the real numba stays installed in the same venv.
"""

raise ImportError("numba is hidden by tests/without_numba/ (pytest --without-numba: make test's run without numba)")
