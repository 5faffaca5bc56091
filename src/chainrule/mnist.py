"""MNIST from disk, never downloaded: Nielsen's ``mnist.pkl.gz`` or LeCun's IDX files (gzip or not).

Nielsen's file is a pickle. It is read with a restricted unpickler that can rebuild NumPy arrays
and nothing else, so a tampered file cannot run code.
"""

from __future__ import annotations

import codecs
import gzip
import io
import math
import os
import pickle
import zlib
from pathlib import Path
from typing import Any, NamedTuple, Union

import numpy as np

from . import _checks

MNIST_PICKLE = "mnist.pkl.gz"
MNIST_IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
MNIST_ENV_VAR = "CHAINRULE_DATA"
_IDX_TYPES = {0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"


class MNIST(NamedTuple):
    """The three MNIST splits as rows: ``X`` (m, 784) in [0, 1], ``y`` (m,) int64 labels 0-9."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def load_mnist(path: Union[str, os.PathLike, None] = None, *, dtype: Any = np.float64,
               n_validation: int = 10000) -> MNIST:
    """Load MNIST as row matrices: ``(X_train, y_train, X_val, y_val, X_test, y_test)``.

    ``X`` is (m, 784) with pixels in [0, 1] (row i is image i, flattened row by row); ``y`` is (m,)
    int64. Nielsen's column form is the transpose: his ``x`` for image i is ``X[i].reshape(784, 1)``.

    Parameters
    ----------
    path : str or path-like, optional
        Nielsen's ``mnist.pkl.gz`` (50,000 / 10,000 / 10,000 images, as in his book), or a
        directory holding it or the four IDX files ``train-images-idx3-ubyte``,
        ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``
        (each optionally ``.gz``). Default: the directory in ``$CHAINRULE_DATA``, then
        ``~/.cache/chainrule/``. Nothing is downloaded.
    dtype : float64 (default) or float32
        dtype of the returned ``X`` arrays. Nielsen's file stores float32.
    n_validation : int
        IDX only: the last ``n_validation`` of the training images become the validation set
        (10,000 of 60,000 gives Nielsen's 50,000 / 10,000 split).

    Returns
    -------
    MNIST
        A named tuple; unpack it or use ``.X_train`` etc.

    Raises
    ------
    FileNotFoundError
        When no MNIST files are found; the message lists where to put them.
    ValueError
        When a file is truncated, corrupt, or (for the pickle) asks to run anything besides
        rebuilding NumPy arrays.
    """
    dt = _checks.as_float_dtype(dtype, "load_mnist")
    n_validation = _checks.positive_int(n_validation, "n_validation", "load_mnist")
    if path is None:
        source = _find_mnist_source()
    else:
        source = Path(path).expanduser()
        if not source.exists():
            raise FileNotFoundError(f"load_mnist: {source} does not exist. {_where_to_put_mnist()}")
        if source.is_dir():
            found = _mnist_in_dir(source)
            if found is None:
                raise FileNotFoundError(f"load_mnist: no MNIST files in directory {source}. {_where_to_put_mnist()}")
            source = found
    if source.is_dir():
        return _load_mnist_idx(source, dt, n_validation)
    return _load_mnist_pickle(source, dt)


def _where_to_put_mnist() -> str:
    env = os.environ.get(MNIST_ENV_VAR)
    env_text = f"${MNIST_ENV_VAR} (= {env})" if env else f"${MNIST_ENV_VAR} (unset)"
    names = ", ".join(f"{name}[.gz]" for name in MNIST_IDX_FILES.values())
    return (
        f"chainrule never downloads data. Put Nielsen's {MNIST_PICKLE} (from his repository "
        "mnielsen/neural-networks-and-deep-learning, data/mnist.pkl.gz) or the four IDX files "
        f"{names} into a directory and set {MNIST_ENV_VAR}=/that/directory, or put them in "
        f"~/.cache/chainrule/, or pass path=... . Looked in: {env_text}, ~/.cache/chainrule."
    )


def _mnist_in_dir(directory: Path) -> Union[Path, None]:
    """The pickle in ``directory``, or ``directory`` itself when it holds all four IDX files."""
    if (directory / MNIST_PICKLE).is_file():
        return directory / MNIST_PICKLE
    if all(_idx_file(directory, name) is not None for name in MNIST_IDX_FILES.values()):
        return directory
    return None


def _find_mnist_source() -> Path:
    candidates = []
    env = os.environ.get(MNIST_ENV_VAR)
    if env:
        candidates.append(Path(env).expanduser())
    candidates.append(Path("~/.cache/chainrule").expanduser())
    for directory in candidates:
        if directory.is_file() and directory.name.endswith((".pkl.gz", ".pkl")):
            return directory        # $CHAINRULE_DATA pointing straight at the pickle also works
        if directory.is_dir():
            found = _mnist_in_dir(directory)
            if found is not None:
                return found
    raise FileNotFoundError(f"load_mnist: MNIST not found. {_where_to_put_mnist()}")


def _idx_file(directory: Path, name: str) -> Union[Path, None]:
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


# NOTE: deflate cannot shrink data by more than about 1032:1; more declared or produced is a bomb or a lie.
_MAX_GZIP_RATIO = 1100


def _open_maybe_gzip(path: Path) -> Any:
    """The file opened for reading bytes, through gzip when it starts with the gzip magic bytes."""
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == _GZIP_MAGIC else open(path, "rb")


def _read_maybe_gzip(path: Path, limit: Union[int, None] = None) -> bytes:
    """The file's bytes (at most ``limit``), decompressed when it starts with the gzip magic bytes.

    A gzip stream that would inflate beyond 1100 times the file's size (a gzip bomb) is refused.
    """
    cap = _MAX_GZIP_RATIO * path.stat().st_size + 1024
    limit = cap if limit is None else min(limit, cap)
    chunks, size = [], 0
    try:
        with _open_maybe_gzip(path) as f:
            while size <= limit:            # in chunks: never ask for the whole declared size at once
                chunk = f.read(min(limit + 1 - size, 1 << 24))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        data = b"".join(chunks)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path}: the gzip stream is corrupt or truncated ({exc}). "
                         "Download the file again.") from exc
    if len(data) > cap:
        raise ValueError(f"{path}: decompresses to more than {cap:,} bytes, over {_MAX_GZIP_RATIO} times its size; "
                         "it is not a data file (a gzip bomb?).")
    return data


def read_idx(path: Union[str, os.PathLike]) -> np.ndarray:
    """Read one IDX file (LeCun's MNIST format), plain or gzip-compressed (detected by magic bytes).

    Header, big-endian: two zero bytes, a type byte (0x08 ubyte, 0x09 byte, 0x0B int16, 0x0C int32,
    0x0D float32, 0x0E float64), the number of dimensions d, then d uint32 sizes. MNIST images
    have magic 0x00000803 (ubyte, 3-D: n, 28, 28); labels 0x00000801 (ubyte, 1-D: n).
    The header is read and checked against the file's size before the data: a header that declares
    more than the file can hold is refused without allocating it.

    Returns
    -------
    ndarray of the stored shape, in native byte order.

    Raises
    ------
    ValueError
        On a bad magic number or when the data is shorter or longer than the header says.
    """
    path = Path(path)
    try:
        with _open_maybe_gzip(path) as f:
            head = f.read(4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in _IDX_TYPES:
                raise ValueError(
                    f"{path}: not an IDX file (magic bytes {head.hex() or 'missing'}; expected 0000080N, "
                    "e.g. 00000803 for images, 00000801 for labels)."
                )
            kind, ndim = _IDX_TYPES[head[2]], head[3]
            sizes = f.read(4 * ndim)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path}: the gzip stream is corrupt or truncated ({exc}). Download the file again.") from exc
    header = 4 + 4 * ndim
    if len(sizes) < 4 * ndim:
        raise ValueError(f"{path}: truncated IDX header ({4 + len(sizes)} bytes, the {ndim}-D header needs {header}).")
    shape = tuple(int(s) for s in np.frombuffer(sizes, dtype=">u4"))
    expected = header + math.prod(shape) * np.dtype(kind).itemsize        # Python ints: never overflows
    data = _read_maybe_gzip(path, limit=expected)
    if len(data) != expected:
        problem = "truncated" if len(data) < expected else "longer than its header says"
        raise ValueError(
            f"{path}: IDX file is {problem}: header says shape {shape} ({expected:,} bytes with the header), "
            f"the file holds {len(data):,} bytes{' or more' if len(data) > expected else ''}. Download the file again."
        )
    array = np.frombuffer(data, dtype=kind, offset=header).reshape(shape)
    return array.astype(np.dtype(kind).newbyteorder("="))


def _load_mnist_idx(directory: Path, dtype: np.dtype, n_validation: int) -> MNIST:
    parts = {}
    for key, name in MNIST_IDX_FILES.items():
        file = _idx_file(directory, name)
        if file is None:
            raise FileNotFoundError(f"load_mnist: {directory} has no {name} or {name}.gz. {_where_to_put_mnist()}")
        parts[key] = (file, read_idx(file))
    splits = []
    for split in ("train", "test"):
        (image_file, images), (label_file, labels) = parts[f"{split}_images"], parts[f"{split}_labels"]
        if images.ndim != 3 or images.dtype != np.uint8:
            raise ValueError(f"{image_file}: expected ubyte images (n, rows, cols), got {images.dtype} {images.shape}.")
        if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
            raise ValueError(
                f"{label_file}: expected {images.shape[0]} labels (one per image in {image_file.name}), "
                f"got shape {labels.shape}."
            )
        X = images.reshape(images.shape[0], -1).astype(dtype)
        X /= 255.0                          # Python float: float32 stays float32
        splits.append((X, _checked_labels(labels, label_file)))
    (X_train, y_train), (X_test, y_test) = splits
    if n_validation >= X_train.shape[0]:
        raise ValueError(
            f"load_mnist: n_validation={n_validation} leaves no training images out of {X_train.shape[0]} "
            f"in {parts['train_images'][0]}; use a smaller n_validation."
        )
    cut = X_train.shape[0] - n_validation
    return MNIST(X_train[:cut], y_train[:cut], X_train[cut:], y_train[cut:], X_test, y_test)


def _checked_labels(labels: np.ndarray, file: Path) -> np.ndarray:
    if labels.dtype.kind not in "iu":
        raise ValueError(f"{file}: labels must be integers, got dtype {labels.dtype}.")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{file}: labels must be digits 0-9, got values from {labels.min()} to {labels.max()}.")
    return labels.astype(np.int64)


class _RefusedGlobal(ValueError):
    """A pickle asked for a global outside the NumPy allow-list."""


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    """``_codecs.encode`` as Python 3 pickles of bytes use it, limited to latin-1."""
    if encoding.replace("-", "").replace("_", "").lower() != "latin1":
        raise _RefusedGlobal(f"the MNIST loader refuses to decode with encoding {encoding!r} (only latin1).")
    return codecs.encode(text, "latin1")


def _numpy_internal(module: str, name: str) -> Any:
    """``numpy._core.<module>.<name>`` (NumPy 2) or ``numpy.core.<module>.<name>`` (NumPy 1)."""
    import importlib
    try:
        mod = importlib.import_module(f"numpy._core.{module}")
    except ImportError:
        mod = importlib.import_module(f"numpy.core.{module}")
    return getattr(mod, name)


# What a pickle of NumPy arrays needs, nothing more: both NumPy 1 (numpy.core) and 2 (numpy._core)
# names, ``_frombuffer`` for protocol 5, and ``_codecs.encode`` for bytes written under protocol <= 2.
_PICKLE_ALLOWED = {
    ("numpy", "ndarray"): lambda: np.ndarray,
    ("numpy", "dtype"): lambda: np.dtype,
    ("_codecs", "encode"): lambda: _latin1_encode,
    **{(f"numpy.{core}.multiarray", name): (lambda name=name: _numpy_internal("multiarray", name))
       for core in ("core", "_core") for name in ("_reconstruct", "scalar")},
    **{(f"numpy.{core}.numeric", "_frombuffer"): (lambda: _numpy_internal("numeric", "_frombuffer"))
       for core in ("core", "_core")},
}


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """Unpickler that can rebuild NumPy arrays and nothing else: no code from the file runs."""

    def __init__(self, file: Any, source: Path) -> None:
        super().__init__(file, encoding="latin1")
        self.source = source

    def find_class(self, module: str, name: str) -> Any:
        factory = _PICKLE_ALLOWED.get((module, name))
        if factory is None:
            raise _RefusedGlobal(
                f"{self.source}: chainrule refuses to load the global {module}.{name} from this pickle. "
                "A pickle can run arbitrary code, so only NumPy array reconstruction is allowed; "
                "this is not Nielsen's mnist.pkl.gz. Use a file from a source you trust."
            )
        return factory()

    def persistent_load(self, pid: Any) -> Any:
        raise _RefusedGlobal(f"{self.source}: chainrule refuses to load persistent ids from this pickle.")


def _load_mnist_pickle(path: Path, dtype: np.dtype) -> MNIST:
    """Nielsen's ``mnist.pkl.gz``: a (gzip) pickle of ((X, y), (X, y), (X, y)) for train, val, test."""
    data = _read_maybe_gzip(path)
    if data[:3] == b"\x00\x00\x08":
        raise ValueError(f"{path} is an IDX file, not Nielsen's pickle; pass the directory holding all four "
                         "IDX files, or use read_idx for one file.")
    try:
        obj = _ArrayOnlyUnpickler(io.BytesIO(data), path).load()
    except _RefusedGlobal:
        raise
    except Exception as exc:        # any failure inside unpickling means a corrupt or truncated file
        raise ValueError(f"{path}: could not read the pickle; the file is corrupt or truncated "
                         f"({type(exc).__name__}: {exc}). Download it again.") from exc
    expected = "a tuple of three (X, y) pairs (training, validation, test), as in Nielsen's mnist.pkl.gz"
    if not isinstance(obj, (tuple, list)) or len(obj) != 3:
        raise ValueError(f"{path}: expected {expected}, got {type(obj).__name__}.")
    arrays = []
    for split, pair in zip(("training", "validation", "test"), obj):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"{path}: the {split} entry must be an (X, y) pair; {expected}.")
        X, y = pair
        if not isinstance(X, np.ndarray) or X.ndim != 2 or X.shape[1] != 784 or X.dtype.kind != "f":
            desc = f"{X.dtype} {X.shape}" if isinstance(X, np.ndarray) else type(X).__name__
            raise ValueError(f"{path}: the {split} images must be a float array (m, 784), got {desc}.")
        if not isinstance(y, np.ndarray) or y.shape != (X.shape[0],):
            desc = f"shape {y.shape}" if isinstance(y, np.ndarray) else type(y).__name__
            raise ValueError(f"{path}: the {split} labels must be an array ({X.shape[0]},), got {desc}.")
        if X.size and not (np.isfinite(X).all() and X.min() >= 0.0 and X.max() <= 1.0):
            raise ValueError(f"{path}: the {split} pixels must be finite values in [0, 1].")
        arrays += [X.astype(dtype, copy=False), _checked_labels(y, path)]
    return MNIST(*arrays)
