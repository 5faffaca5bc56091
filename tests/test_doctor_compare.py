"""Fingerprints: how a learner's value differs from the right one (chainrule.doctor.compare)."""

import numpy as np
import pytest

from chainrule.doctor.compare import agree, fingerprint

E = np.arange(1.0, 7.0).reshape(2, 3) / 7.0


@pytest.mark.parametrize("actual, kind", [
    (E * 5, "scale_m"),
    (E / 5, "scale_inv_m"),
    (-E, "sign"),
    (E * 2, "scale"),
    (E.T, "transposed"),
    (E.ravel(), "shape"),
    (np.ones((3, 3)), "shape"),
    (np.where(E > 0.5, np.nan, E), "nonfinite"),
    (E + np.array([[0.1, -0.3, 0.2], [0.0, 0.5, -0.1]]), "values"),
    ("not an array", "signature"),
])
def test_each_kind_is_recognised(actual, kind):
    assert fingerprint(actual, E, m=5).kind == kind


def test_equal_values_in_any_numeric_type_match():
    assert fingerprint(E.copy(), E) is None
    assert fingerprint(E + 1e-13, E) is None
    assert fingerprint(np.array([[1, 0, 1]]), np.array([[1.0, 0.0, 1.0]])) is None
    assert fingerprint(np.array([[True, False]]), np.array([[1.0, 0.0]])) is None


def test_scalars_compare_by_value_whatever_their_shape():
    assert fingerprint(np.array([[0.5]]), 0.5) is None
    assert fingerprint(np.float64(0.5), np.array(0.5)) is None


def test_lenient_shape_accepts_labels_as_1d():
    labels = np.array([[1.0, 0.0, 1.0]])
    assert fingerprint(np.array([1, 0, 1]), labels, lenient_shape=True) is None
    assert fingerprint(np.array([1, 0, 1]), labels).kind == "shape"


def test_shape_messages_say_which_axis_was_summed():
    db = np.ones((4, 1))
    assert "axis 0 (the units)" in fingerprint(np.ones((1, 7)), db).detail
    assert "not summed over the examples" in fingerprint(np.ones((4, 7)), db).detail


def test_a_square_transpose_is_told_from_wrong_values():
    S = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert fingerprint(S.T, S).kind == "transposed"


def test_a_factor_on_one_number_needs_agreeing_probes():
    one = fingerprint(2.0, 1.0)
    assert one.kind == "scale"
    assert agree([one], size_one=True).kind == "values"
    assert agree([one, fingerprint(4.0, 2.0)], size_one=True).kind == "scale"
    assert agree([one, fingerprint(3.0, 2.0)], size_one=True).kind == "values"
    by_m = [fingerprint(2.0 * m, 2.0, m=m) for m in (2, 3)]
    assert agree(by_m, size_one=True).kind == "scale_m"
