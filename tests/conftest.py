"""Shared fixtures for the engine tests, and ``--without-numba``: the run of the suite without numba.

``make test`` runs pytest twice: the whole suite with numba installed (``fit``'s ``backend="auto"``
compiles small supported models), then the training tests (the Makefile's ``WITHOUT_NUMBA_TESTS``)
with ``--without-numba``, which hides numba as a machine without the ``fast`` extra lacks it
(``auto`` takes the NumPy plan). chainrule itself knows nothing of this: the flag puts
tests/without_numba/, a ``numba`` package whose import raises ImportError, first on ``sys.path`` and
on ``PYTHONPATH`` (pytest-xdist workers and the processes the tests start with ``os.environ``, or
test_cli's ``cli_env()``, inherit it). Tests marked ``without_numba`` run only with the flag.
"""

import os
import sys
from pathlib import Path

import numpy as np
import pytest

#: holds the numba package that cannot be imported
WITHOUT_NUMBA = Path(__file__).resolve().parent / "without_numba"


def pytest_addoption(parser):
    parser.addoption("--without-numba", action="store_true",
                     help="hide the installed numba (tests/without_numba/ first on the path of this process and its "
                          "children): fit's backend='auto' then takes the NumPy plan, as without the fast extra")


def pytest_configure(config):
    if not config.getoption("--without-numba"):
        return
    if sys.modules.get("numba") is not None:
        raise pytest.UsageError("--without-numba: numba was imported before tests/conftest.py could hide it "
                                "(by a plugin?); run pytest with -p no:<that plugin>.")
    sys.path.insert(0, str(WITHOUT_NUMBA))
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if str(WITHOUT_NUMBA) not in paths:               # an xdist worker inherits it from the main process
        os.environ["PYTHONPATH"] = os.pathsep.join([str(WITHOUT_NUMBA), *filter(None, paths)])


def pytest_collection_modifyitems(config, items):
    if config.getoption("--without-numba"):
        return
    skip = pytest.mark.skip(reason="runs in make test's run without numba: pytest --without-numba")
    for item in items:
        if item.get_closest_marker("without_numba"):
            item.add_marker(skip)


@pytest.fixture
def rng():
    """A fresh, seeded generator per test: tests never share random state."""
    return np.random.default_rng(20240601)
