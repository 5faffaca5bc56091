"""Shared fixtures for the engine tests."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A fresh, seeded generator per test: tests never share random state."""
    return np.random.default_rng(20240601)
