"""chainrule.datasets MNIST loaders: IDX files, Nielsen's mnist.pkl.gz, the search path, and safety."""

import gzip
import os
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest

from chainrule import datasets

from _paths import MNIST_PKL as REAL_MNIST      # $CHAINRULE_DATA, else ../shared/data beside the repo
IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def idx_bytes(array: np.ndarray) -> bytes:
    codes = {np.dtype(np.uint8): (0x08, "u1"), np.dtype(np.int16): (0x0B, ">i2"), np.dtype(np.float32): (0x0D, ">f4")}
    code, big_endian = codes[array.dtype]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(big_endian).tobytes()


def write(path: Path, data: bytes, gz: bool) -> Path:
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def write_idx_set(directory: Path, n_train: int, n_test: int, gz: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    arrays = (rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8), rng.integers(0, 10, n_train).astype(np.uint8),
              rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8), rng.integers(0, 10, n_test).astype(np.uint8))
    for name, array in zip(IDX_NAMES, arrays):
        write(directory / (name + (".gz" if gz else "")), idx_bytes(array), gz)
    return arrays


def nielsen_splits(sizes=(12, 5, 4), seed=0):
    rng = np.random.default_rng(seed)
    return tuple((rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n).astype(np.int64)) for n in sizes)


def write_pickle(path: Path, obj, protocol: int = 2, gz: bool = True) -> Path:
    return write(path, pickle.dumps(obj, protocol=protocol), gz)


# -- IDX --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("array", [np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4),
                                   np.array([3, 1, 4, 1, 5], dtype=np.uint8),
                                   np.array([[-300, 7], [2, 30000]], dtype=np.int16),
                                   np.array([1.5, -2.25], dtype=np.float32)])
def test_read_idx_round_trips_plain_and_gzip(tmp_path, gz, array):
    path = write(tmp_path / "a-idx", idx_bytes(array), gz)
    out = datasets.read_idx(path)
    assert out.shape == array.shape and out.dtype == array.dtype.newbyteorder("=")
    np.testing.assert_array_equal(out, array)


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_truncated_data_names_the_file(tmp_path, gz):
    data = idx_bytes(np.zeros((3, 28, 28), dtype=np.uint8))[:-10]
    path = write(tmp_path / "train-images-idx3-ubyte", data, gz)
    with pytest.raises(ValueError, match="truncated") as info:
        datasets.read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_truncated_gzip_stream_is_a_value_error(tmp_path):
    packed = gzip.compress(idx_bytes(np.arange(5000, dtype=np.int16)))
    path = tmp_path / "labels.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(ValueError, match="gzip") as info:
        datasets.read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_rejects_bad_magic_and_extra_bytes(tmp_path):
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x12\x34\x08\x01" + b"\x00" * 8)
    with pytest.raises(ValueError, match="not an IDX file"):
        datasets.read_idx(bad)
    long = write(tmp_path / "long", idx_bytes(np.zeros(4, dtype=np.uint8)) + b"\x00", gz=False)
    with pytest.raises(ValueError, match="longer than its header"):
        datasets.read_idx(long)


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_from_idx_directory_splits_off_the_last_training_images(tmp_path, gz):
    train_images, train_labels, test_images, test_labels = write_idx_set(tmp_path, 30, 8, gz)
    X_train, y_train, X_val, y_val, X_test, y_test = datasets.load_mnist(tmp_path, n_validation=10)
    assert X_train.shape == (20, 784) and X_val.shape == (10, 784) and X_test.shape == (8, 784)
    assert X_train.dtype == np.float64 and y_train.dtype == np.int64
    np.testing.assert_array_equal(X_train, train_images[:20].reshape(20, 784) / 255.0)
    np.testing.assert_array_equal(X_val, train_images[20:].reshape(10, 784) / 255.0)
    np.testing.assert_array_equal(X_test, test_images.reshape(8, 784) / 255.0)
    np.testing.assert_array_equal(np.r_[y_train, y_val], train_labels)
    np.testing.assert_array_equal(y_test, test_labels)


def test_load_mnist_idx_float32_and_validation_size_checks(tmp_path):
    write_idx_set(tmp_path, 12, 3, gz=True)
    data = datasets.load_mnist(tmp_path, dtype=np.float32, n_validation=2)
    assert data.X_train.dtype == np.float32 and data.X_train.max() <= 1.0
    with pytest.raises(ValueError, match="n_validation"):
        datasets.load_mnist(tmp_path, n_validation=12)


def test_passing_one_idx_file_asks_for_its_directory(tmp_path):
    write_idx_set(tmp_path, 3, 2, gz=True)
    with pytest.raises(ValueError, match="pass the directory"):
        datasets.load_mnist(tmp_path / "train-images-idx3-ubyte.gz")


def test_load_mnist_idx_label_count_must_match_images(tmp_path):
    write_idx_set(tmp_path, 12, 3, gz=False)
    write(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes(np.zeros(4, dtype=np.uint8)), gz=False)
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte"):
        datasets.load_mnist(tmp_path, n_validation=2)


# -- Nielsen's pickle -----------------------------------------------------------------------------------
@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
@pytest.mark.parametrize("gz", [True, False])
def test_load_mnist_reads_nielsen_pickle(tmp_path, protocol, gz):
    splits = nielsen_splits()
    path = write_pickle(tmp_path / "mnist.pkl.gz", splits, protocol, gz)
    data = datasets.load_mnist(path)
    for (X, y), X_out, y_out in zip(splits, data[0::2], data[1::2]):
        assert X_out.dtype == np.float64 and y_out.dtype == np.int64
        np.testing.assert_array_equal(X_out, X)
        np.testing.assert_array_equal(y_out, y)
    assert datasets.load_mnist(path, dtype=np.float32).X_test.dtype == np.float32


def test_load_mnist_reads_numpy_1_era_pickles_like_nielsens_original(tmp_path):
    splits = nielsen_splits((4, 2, 2))
    raw = pickle.dumps(splits, protocol=0).replace(b"numpy._core.", b"numpy.core.")   # NumPy 1's module names
    assert b"cnumpy.core.multiarray\n_reconstruct\n" in raw
    data = datasets.load_mnist(write(tmp_path / "mnist.pkl.gz", raw, gz=True))
    np.testing.assert_array_equal(data.X_val, splits[1][0])


class RunsShellCommand:
    """Pickles as os.system(command): an unrestricted unpickler would run the command."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class DecodesWith:
    def __reduce__(self):
        import codecs
        return (codecs.encode, ("abc", "rot13"))


class Evaluates:
    def __reduce__(self):
        return (eval, ("1 + 1",))


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_pickle_with_a_forbidden_global_is_refused_and_never_executed(tmp_path, protocol):
    sentinel = tmp_path / "pwned"
    (X, y), val, test = nielsen_splits()
    path = write_pickle(tmp_path / "mnist.pkl.gz", ((X, y), val, (RunsShellCommand(f"touch {sentinel}"), test[1])),
                        protocol)
    with pytest.raises(ValueError, match="refuses to load") as info:
        datasets.load_mnist(path)
    assert "system" in str(info.value) and str(path) in str(info.value)
    assert not sentinel.exists()


@pytest.mark.parametrize("payload", [Evaluates(), DecodesWith()])
def test_pickle_allow_list_admits_only_array_reconstruction(tmp_path, payload):
    path = write_pickle(tmp_path / "mnist.pkl.gz", (payload,))
    with pytest.raises(ValueError, match="refuses to"):
        datasets.load_mnist(path)


def test_truncated_pickle_is_a_value_error_naming_the_file(tmp_path):
    raw = pickle.dumps(nielsen_splits(), protocol=2)
    cut_pickle = write(tmp_path / "cut-pickle.pkl.gz", raw[: len(raw) // 2], gz=True)
    packed = gzip.compress(raw)
    cut_gzip = tmp_path / "cut-gzip.pkl.gz"
    cut_gzip.write_bytes(packed[: len(packed) // 2])
    for path in (cut_pickle, cut_gzip):
        with pytest.raises(ValueError) as info:
            datasets.load_mnist(path)
        assert str(path) in str(info.value)


@pytest.mark.parametrize("obj, message", [
    ({"train": 1}, "three"),
    ((1, 2, 3), "pair"),
    (((np.zeros((3, 10), np.float32), np.zeros(3, np.int64)),) * 3, r"\(m, 784\)"),
    (((np.zeros((3, 784), np.float32), np.zeros(4, np.int64)),) * 3, "labels"),
    (((np.full((3, 784), 2.0, np.float32), np.zeros(3, np.int64)),) * 3, r"\[0, 1\]"),
    (((np.zeros((3, 784), np.float32), np.full(3, 12, np.int64)),) * 3, "0-9"),
])
def test_pickle_with_the_wrong_structure_is_a_value_error(tmp_path, obj, message):
    path = write_pickle(tmp_path / "mnist.pkl.gz", obj)
    with pytest.raises(ValueError, match=message):
        datasets.load_mnist(path)


# -- where the files are looked for ------------------------------------------------------------------
@pytest.fixture
def isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("CHAINRULE_DATA", raising=False)
    return home


def test_missing_mnist_says_where_to_put_it(isolated_home, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("CHAINRULE_DATA", str(empty))
    with pytest.raises(FileNotFoundError) as info:
        datasets.load_mnist()
    message = str(info.value)
    for needed in ("CHAINRULE_DATA", "mnist.pkl.gz", "train-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
                   ".cache/chainrule", str(empty)):
        assert needed in message
    with pytest.raises(FileNotFoundError, match="CHAINRULE_DATA"):
        datasets.load_mnist(tmp_path / "nowhere.pkl.gz")
    with pytest.raises(FileNotFoundError, match="CHAINRULE_DATA"):
        datasets.load_mnist(empty)


def test_load_mnist_searches_chainrule_data_then_the_cache(isolated_home, tmp_path, monkeypatch):
    cache = isolated_home / ".cache" / "chainrule"
    cache.mkdir(parents=True)
    write_pickle(cache / "mnist.pkl.gz", nielsen_splits((5, 2, 2)))
    assert datasets.load_mnist().X_train.shape == (5, 784)
    env_dir = tmp_path / "env"
    env_dir.mkdir()
    write_idx_set(env_dir, 10003, 2, gz=True)           # the default 10,000 validation images
    monkeypatch.setenv("CHAINRULE_DATA", str(env_dir))
    data = datasets.load_mnist()
    assert (data.X_train.shape[0], data.X_val.shape[0], data.X_test.shape[0]) == (3, 10000, 2)


# -- the real file, when present -----------------------------------------------------------------------
@pytest.mark.skipif(not REAL_MNIST.is_file(), reason=f"Nielsen's MNIST not found at {REAL_MNIST}")
def test_real_nielsen_mnist_has_50000_10000_10000_images():
    X_train, y_train, X_val, y_val, X_test, y_test = datasets.load_mnist(REAL_MNIST, dtype=np.float32)
    assert X_train.shape == (50000, 784) and X_val.shape == (10000, 784) and X_test.shape == (10000, 784)
    assert y_train.shape == (50000,) and y_val.shape == (10000,) and y_test.shape == (10000,)
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0
    assert set(np.unique(y_test)) == set(range(10))
