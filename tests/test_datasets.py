"""Toy data sets: documented shapes and dtypes, determinism per seed, the course's flower exactly."""

from pathlib import Path

import numpy as np
import pytest

from chainrule import datasets

DATA = Path(__file__).parent / "data"

GENERATORS = {
    "flower": lambda **kw: datasets.make_flower(400, **kw),
    "moons": lambda **kw: datasets.make_moons(300, **kw),
    "circles": lambda **kw: datasets.make_circles(300, **kw),
    "spirals": lambda **kw: datasets.make_spirals(300, n_classes=3, **kw),
    "xor": lambda **kw: datasets.make_xor(200, **kw),
    "blobs": lambda **kw: datasets.make_blobs(300, n_classes=3, **kw),
}
EXPECTED = {"flower": (400, 2), "moons": (300, 2), "circles": (300, 2), "spirals": (300, 3), "xor": (200, 2),
            "blobs": (300, 3)}


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_return_rows_of_float64_points_and_int64_labels(name):
    m, n_classes = EXPECTED[name]
    X, y = GENERATORS[name](seed=0)
    assert X.shape == (m, 2) and X.dtype == np.float64
    assert y.shape == (m,) and y.dtype == np.int64
    assert set(np.unique(y).tolist()) == set(range(n_classes))
    assert np.isfinite(X).all()


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_are_deterministic_per_seed(name):
    X1, y1 = GENERATORS[name](seed=5)
    X2, y2 = GENERATORS[name](seed=5)
    X3, _ = GENERATORS[name](seed=6)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", GENERATORS)
def test_an_explicit_rng_replaces_the_seed(name):
    X1, _ = GENERATORS[name](rng=np.random.default_rng(9))
    X2, _ = GENERATORS[name](seed=9)
    assert np.array_equal(X1, X2)


def test_balanced_generators_split_classes_evenly():
    for name in ("flower", "moons", "circles", "spirals", "blobs"):
        _, y = GENERATORS[name](seed=0)
        counts = np.bincount(y)
        assert counts.max() - counts.min() <= 1, name


@pytest.mark.parametrize("make", [datasets.make_flower, datasets.make_moons, datasets.make_circles,
                                  datasets.make_xor, datasets.make_blobs])
def test_generators_return_n_samples_rows_for_odd_counts(make):
    # make_flower's docstring promises "n_samples rows"; the others return n_samples rows too.
    X, y = make(101, seed=0)
    assert X.shape == (101, 2) and y.shape == (101,)


def test_flower_from_the_course_randn_reproduces_the_planar_data_exactly():
    X, y = datasets.flower_from(np.random.RandomState(1).randn)
    with np.load(DATA / "planar_flower.npz") as course:
        assert np.array_equal(X, course["X"].T)
        assert np.array_equal(y, course["Y"][0])
    assert X.shape == (400, 2)


def test_moons_lie_on_two_half_circles_without_noise():
    X, y = datasets.make_moons(200, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    assert np.allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert np.allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)


def test_circles_have_radii_one_and_factor_without_noise():
    X, y = datasets.make_circles(100, noise=0.0, factor=0.3, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert np.allclose(radius[y == 0], 1.0) and np.allclose(radius[y == 1], 0.3)


def test_xor_labels_are_one_where_the_signs_differ():
    X, y = datasets.make_xor(400, noise=0.1, seed=0)
    assert np.array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(np.int64))


def test_standardize_gives_zero_mean_unit_std_and_reuses_training_statistics():
    rng = np.random.default_rng(0)
    X = rng.normal(5.0, 3.0, size=(200, 3))
    X[:, 2] = 7.0                                   # a constant column becomes zeros, not NaN
    Z, mean, std = datasets.standardize(X)
    assert np.allclose(Z[:, :2].mean(axis=0), 0.0) and np.allclose(Z[:, :2].std(axis=0), 1.0)
    assert not Z[:, 2].any()
    Z_test, _, _ = datasets.standardize(X[:5], mean, std)
    assert np.array_equal(Z_test, Z[:5])


@pytest.mark.parametrize("call", [lambda: datasets.make_moons(0), lambda: datasets.make_circles(factor=1.0),
                                  lambda: datasets.make_spirals(n_classes=0), lambda: datasets.flower_from(np.zeros, 0),
                                  lambda: datasets.standardize(np.arange(3.0))])
def test_bad_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_the_generator_registry_names_every_generator():
    assert set(datasets.GENERATORS) == set(GENERATORS)


# -- CSV tables: class names, header detection, 1-based positions (issue 13) -----------------------------------
def write_text(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_load_table_keeps_class_names_as_text_and_skips_the_header(tmp_path):
    path = write_text(tmp_path / "iris.csv", 'sepal,petal,species\n5.1,1.4,setosa\n\n7.0,4.7,"versicolor"\n')
    X, y = datasets.load_table(path)
    np.testing.assert_array_equal(X, [[5.1, 1.4], [7.0, 4.7]])
    assert y.tolist() == ["setosa", "versicolor"]
    classes, indices = np.unique(y, return_inverse=True)
    assert classes.tolist() == ["setosa", "versicolor"] and indices.tolist() == [0, 1]


def test_load_table_label_column_by_header_name_or_index(tmp_path):
    path = write_text(tmp_path / "t.csv", "species,a,b\ncat,1,2\ndog,3,4\n")
    X, y = datasets.load_table(path, label_column="species")
    assert y.tolist() == ["cat", "dog"] and X.tolist() == [[1, 2], [3, 4]]
    X0, y0 = datasets.load_table(path, label_column=0)
    assert y0.tolist() == y.tolist() and np.array_equal(X0, X)
    with pytest.raises(ValueError, match=r"no column named 'kind'; its columns are \['species', 'a', 'b'\]"):
        datasets.load_table(path, label_column="kind")


def test_whole_number_targets_are_indices_and_fractions_values(tmp_path):
    _, y = datasets.load_table(write_text(tmp_path / "a.csv", "1,25\n2,346\n"))
    assert y.dtype == np.int64 and y.tolist() == [25, 346]
    _, y = datasets.load_table(write_text(tmp_path / "b.csv", "1,2.5\n2,3\n"))
    assert y.dtype == np.float64


@pytest.mark.parametrize("text, fragment", [
    ("a,b,label\n1,2,0\n3,x,1\n", "line 3, column 2 ('b'): 'x' is not a number"),
    ("1,2,0\n3,4,1\n5,,1\n", "line 3, column 2: '' is not a number"),
    ("1,2,0\n3,4\n", "line 2: 2 columns, but line 1 has 3"),
    ("a,b,label\n1,2,0\n3,4,5,6\n", "line 3: 4 columns, but line 1 has 3"),
], ids=["text_feature_with_header", "empty_cell", "short_row", "long_row_after_header"])
def test_csv_errors_name_the_line_and_column_counted_from_1_as_editors_do(tmp_path, text, fragment):
    path = write_text(tmp_path / "bad.csv", text)
    with pytest.raises(ValueError) as info:
        datasets.load_table(path)
    assert fragment in str(info.value) and "bad.csv" in str(info.value)


def test_read_table_reads_a_numeric_file_with_its_header_and_file_lines(tmp_path):
    table = datasets.read_table(write_text(tmp_path / "n.csv", "x,y\n1,2\n3,4\n"))
    assert table.header == ["x", "y"] and table.cells.dtype == np.float64
    assert table.lines.tolist() == [2, 3] and table.text_columns() == []
    assert datasets.read_csv(tmp_path / "n.csv").tolist() == [[1, 2], [3, 4]]
