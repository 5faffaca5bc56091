"""Toy data sets generated in code (no downloads), examples as rows.

Every generator returns ``(X, y)`` with ``X`` (m, 2) float64 and ``y`` (m,) int64 class labels,
and takes a ``seed`` (or an explicit ``rng``) so the same call gives the same data.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import Callable, NamedTuple, Union

import numpy as np

from . import _checks, _files
from .preprocessing import column_statistics
from .mnist import MNIST, load_mnist, read_idx  # noqa: F401  (re-exported: datasets is the public home)

Normal = Callable[[int], np.ndarray]


def _generator(seed: Union[int, None], rng: Union[np.random.Generator, None]) -> np.random.Generator:
    return rng if rng is not None else np.random.default_rng(seed)


def flower_from(randn: Normal, n_per_class: int = 200, radius: float = 4.0,
                noise: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """The course's planar "flower", drawing its normals from ``randn(n)`` in the course's order.

    For class j in 0, 1:  t = linspace(3.12·j, 3.12·(j+1), N) + 0.2·randn(N)
                          r = radius·sin(4t) + 0.2·randn(N)
                          x = (r·sin t, r·cos t),  y = j
    ``chainrule.classic`` passes ``RandomState(1).randn`` to reproduce the course's data exactly.
    """
    N = _checks.positive_int(n_per_class, "n_per_class", "flower")
    X = np.zeros((2 * N, 2))
    y = np.zeros(2 * N, dtype=np.int64)
    for j in range(2):
        rows = slice(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + randn(N) * noise
        r = radius * np.sin(4 * t) + randn(N) * noise
        X[rows] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[rows] = j
    return X, y


def make_flower(n_samples: int = 400, noise: float = 0.2, seed: Union[int, None] = 0,
                rng: Union[np.random.Generator, None] = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved 4-petal classes (the course's planar data set), ``n_samples`` rows."""
    n = _checks.positive_int(n_samples, "n_samples", "make_flower")
    gen = _generator(seed, rng)
    X, y = flower_from(gen.standard_normal, (n + 1) // 2, noise=noise)
    return X[:n], y[:n]                 # an odd n leaves class 1 one row short


def make_moons(n_samples: int = 300, noise: float = 0.2, seed: Union[int, None] = 0,
               rng: Union[np.random.Generator, None] = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: upper (class 0) at radius 1, lower (class 1) shifted (1, 0.5)."""
    n = _checks.positive_int(n_samples, "n_samples", "make_moons")
    return _two_arcs(n, math.pi, True, noise, _generator(seed, rng),
                     outer=_circle, inner=lambda t: np.c_[1 - np.cos(t), 0.5 - np.sin(t)])


def make_circles(n_samples: int = 300, noise: float = 0.05, factor: float = 0.5, seed: Union[int, None] = 0,
                 rng: Union[np.random.Generator, None] = None) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: the outer (class 0) of radius 1, the inner (class 1) of radius ``factor``."""
    n = _checks.positive_int(n_samples, "n_samples", "make_circles")
    factor = _checks.in_range(factor, "factor", "make_circles", 0.0, 1.0, low_closed=False)
    return _two_arcs(n, 2 * math.pi, False, noise, _generator(seed, rng),
                     outer=_circle, inner=lambda t: factor * _circle(t))


def _circle(t: np.ndarray) -> np.ndarray:
    """Points (cos t, sin t) on the unit circle, one row per angle."""
    return np.c_[np.cos(t), np.sin(t)]


def _two_arcs(n: int, span: float, endpoint: bool, noise: float, gen: np.random.Generator,
              outer: Callable[[np.ndarray], np.ndarray], inner: Callable[[np.ndarray], np.ndarray]
              ) -> tuple[np.ndarray, np.ndarray]:
    """n // 2 points ``outer(t)`` (class 0) and the rest ``inner(t)`` (class 1), t evenly spaced over
    [0, span], plus ``noise``·N(0, 1) on every coordinate, shuffled."""
    n_outer = n // 2
    n_inner = n - n_outer
    X = np.r_[outer(np.linspace(0, span, n_outer, endpoint=endpoint)),
              inner(np.linspace(0, span, n_inner, endpoint=endpoint))]
    y = np.r_[np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64)]
    X += noise * gen.standard_normal(X.shape)
    return _shuffled(X, y, gen)


def make_spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, seed: Union[int, None] = 0,
                 rng: Union[np.random.Generator, None] = None) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms (CS231n's toy set): r in [0, 1], angle grows with r."""
    n = _checks.positive_int(n_samples, "n_samples", "make_spirals")
    k = _checks.positive_int(n_classes, "n_classes", "make_spirals")
    gen = _generator(seed, rng)
    per = max(n // k, 1)
    X = np.zeros((per * k, 2))
    y = np.repeat(np.arange(k, dtype=np.int64), per)
    for j in range(k):
        r = np.linspace(0.0, 1.0, per)
        t = np.linspace(j * 4.0, (j + 1) * 4.0, per) + gen.standard_normal(per) * noise
        X[j * per:(j + 1) * per] = np.c_[r * np.sin(t), r * np.cos(t)]
    return _shuffled(X, y, gen)


def make_xor(n_samples: int = 200, noise: float = 0.1, seed: Union[int, None] = 0,
             rng: Union[np.random.Generator, None] = None) -> tuple[np.ndarray, np.ndarray]:
    """Points near the four corners of [-1, 1]²; class 1 where the signs of x₁ and x₂ differ."""
    n = _checks.positive_int(n_samples, "n_samples", "make_xor")
    gen = _generator(seed, rng)
    corners = gen.integers(0, 2, size=(n, 2)) * 2 - 1
    X = corners + noise * gen.standard_normal((n, 2))
    y = (corners[:, 0] != corners[:, 1]).astype(np.int64)
    return X, y


def make_blobs(n_samples: int = 300, n_classes: int = 3, spread: float = 0.5, seed: Union[int, None] = 0,
               rng: Union[np.random.Generator, None] = None) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs with centers evenly spaced on a circle of radius 2."""
    n = _checks.positive_int(n_samples, "n_samples", "make_blobs")
    k = _checks.positive_int(n_classes, "n_classes", "make_blobs")
    gen = _generator(seed, rng)
    y = np.arange(n, dtype=np.int64) % k
    angles = 2 * math.pi * y / k
    X = 2.0 * np.c_[np.cos(angles), np.sin(angles)] + spread * gen.standard_normal((n, 2))
    return _shuffled(X, y, gen)


def _shuffled(X: np.ndarray, y: np.ndarray, gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = gen.permutation(X.shape[0])
    return X[order], y[order]


def standardize(X: np.ndarray, mean: Union[np.ndarray, None] = None,
                std: Union[np.ndarray, None] = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X - mean) / std per column; returns ``(X_std, mean, std)``. Pass the training mean/std for test data.

    Columns with zero spread get std = 1, so they become zeros rather than NaN. To keep the
    statistics with a model (saved in its file, applied by ``predict``), use
    ``model.preprocessing = chainrule.preprocessing.Standardize()`` instead.
    """
    X = _checks.matrix(X, "X", "standardize", dtype=np.float64)
    if mean is None or std is None:
        fitted_mean, fitted_std = column_statistics(X)
        mean = fitted_mean if mean is None else mean
        std = fitted_std if std is None else std
    mean, std = np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64)
    return (X - mean) / std, mean, std


GENERATORS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "flower": make_flower,
    "moons": make_moons,
    "circles": make_circles,
    "spirals": make_spirals,
    "xor": make_xor,
    "blobs": make_blobs,
}


# -- tables and bundled sets ------------------------------------------------------------------------
class Table(NamedTuple):
    """A CSV file's cells. Positions in messages are 1-based lines and columns, as editors show them."""

    header: Union[list[str], None]      # the column names, when the first line is a header
    cells: np.ndarray                   # (m, n): float64 when every cell is a number, else str
    lines: np.ndarray                   # (m,) the file line of each row (1-based)
    path: Path

    def column_name(self, j: int) -> str:
        """'column 3' or "column 3 ('petal_width')" for the 0-based index j."""
        name = f" ({self.header[j]!r})" if self.header else ""
        return f"column {j + 1}{name}"

    def numbers(self, columns: Union[list[int], None] = None) -> np.ndarray:
        """The given columns (default: all) as float64, or a ValueError naming the first cell that is not a number."""
        cells = self.cells if columns is None else self.cells[:, columns]
        if cells.dtype.kind == "f":
            return cells
        columns = list(range(self.cells.shape[1])) if columns is None else columns
        for k, j in enumerate(columns):
            bad = [i for i, cell in enumerate(cells[:, k]) if not _is_number(cell)]
            if bad:
                i = bad[0]
                more = f" ({len(bad)} such cells in this column)" if len(bad) > 1 else ""
                raise ValueError(f"{self.path}, line {self.lines[i]}, {self.column_name(j)}: {str(cells[i, k])!r} is not "
                                 f"a number{more}.")
        return cells.astype(np.float64)

    def text_columns(self) -> list[int]:
        """0-based indices of the columns holding a cell that is not a number."""
        if self.cells.dtype.kind == "f":
            return []
        return [j for j in range(self.cells.shape[1]) if not all(_is_number(c) for c in self.cells[:, j])]

    def column_index(self, label_column: Union[int, str]) -> int:
        """The 0-based index of ``label_column``: a header name, or a Python index (-1: the last)."""
        n = self.cells.shape[1]
        if isinstance(label_column, str):
            if not self.header or label_column not in self.header:
                known = f"its columns are {self.header}" if self.header else "it has no header line"
                raise ValueError(f"{self.path}: no column named {label_column!r}; {known}.")
            return self.header.index(label_column)
        if not -n <= label_column < n:
            raise ValueError(f"{self.path}: label column {label_column} does not exist; the file has {n} columns.")
        return label_column % n


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _csv_rows(path: Path, limit: Union[int, None] = None) -> tuple[list[list[str]], list[int]]:
    """The non-blank rows of a CSV (cells stripped) and their 1-based line numbers; at most ``limit`` rows."""
    rows, lines = [], []
    try:
        with open(path, newline="", encoding="utf-8") as file:
            reader = csv.reader(file)
            for row in reader:
                if any(cell.strip() for cell in row):
                    rows.append([cell.strip() for cell in row])
                    lines.append(reader.line_num)
                    if limit is not None and len(rows) == limit:
                        break
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"{path} is not a text CSV ({exc}).") from None
    return rows, lines


def read_table(path: Union[str, os.PathLike]) -> Table:
    """Read a CSV into a ``Table``; the first line is a header when it has text where the second has numbers.

    A file of numbers only is read by ``np.loadtxt``; any text cell (class names such as "setosa",
    or a typo) is kept as text, so the caller decides which column may hold it.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist.")
    rows, lines = _csv_rows(path, limit=2)
    if len(rows) == 2 and any(not _is_number(a) and _is_number(b) for a, b in zip(*rows)):
        header, skip = rows[0], lines[0]
    else:
        header, skip = None, 0
    try:                            # NOTE: the C parser is 2.5x faster than csv + float() on 10k x 785 cells
        cells = np.loadtxt(path, delimiter=",", skiprows=skip, ndmin=2, comments=None, encoding="utf-8")
        if header is None or cells.shape[1] == len(header):
            return Table(header, cells, np.arange(skip + 1, skip + 1 + cells.shape[0]), path)
    except ValueError:
        pass                        # text cells or ragged rows: read again, keeping every cell and its line
    rows, lines = _csv_rows(path)
    if not rows:
        raise ValueError(f"{path}: the file holds no rows.")
    if header is not None:
        rows, lines = rows[1:], lines[1:]
    width, first = (len(header), skip) if header else (len(rows[0]), lines[0])
    for row, line in zip(rows, lines):
        if len(row) != width:
            raise ValueError(f"{path}, line {line}: {len(row)} columns, but line {first} has {width}.")
    try:
        cells = np.array(rows, dtype=np.float64)
    except ValueError:
        cells = np.array(rows, dtype=str)
    return Table(header, cells, np.array(lines), path)


def load_table(path: Union[str, os.PathLike], label_column: Union[int, str] = -1) -> tuple[np.ndarray, np.ndarray]:
    """Load ``(X, y)`` from a ``.csv`` (label in ``label_column``: a Python index, default -1 for the
    last, or a header name) or an ``.npz`` holding arrays ``X`` and ``y`` (read without pickles).

    Labels that are whole numbers >= 0 come back as int64 class indices, other numbers as float64
    targets, and text (class names such as "setosa") as a str array; map names to indices with
    ``classes, y = np.unique(y, return_inverse=True)``. A header line in the CSV is skipped.
    Every feature must be a number; the error names the first cell that is not (1-based line and column).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"load_table: {path} does not exist.")
    if path.suffix == ".npz":
        try:
            _files.npz_headers(path)            # declared shapes checked against the file's size before reading
            with np.load(path, allow_pickle=False) as archive:
                if "X" not in archive.files or "y" not in archive.files:
                    raise ValueError(f"load_table: {path} must hold arrays named X and y, found {archive.files}.")
                X, y = archive["X"], archive["y"]
        except _files.READ_ERRORS as exc:
            if str(exc).startswith("load_table"):
                raise
            raise ValueError(f"load_table: {path} is not a readable .npz file ({exc}).") from exc
    elif path.suffix == ".csv":
        table = read_table(path)
        if table.cells.shape[1] < 2:
            raise ValueError(f"load_table: {path} needs at least one feature column and a label column.")
        column = table.column_index(label_column)
        y = table.cells[:, column]
        X = table.numbers([j for j in range(table.cells.shape[1]) if j != column])
        if y.dtype.kind != "f" and all(_is_number(cell) for cell in y):
            y = y.astype(np.float64)
    else:
        raise ValueError(f"load_table: {path} must be a .csv or .npz file.")
    X = _checks.matrix(X, "X", f"load_table({path})", dtype=np.float64)
    y = np.asarray(y).reshape(len(y), -1) if np.ndim(y) > 1 and np.shape(y)[1] > 1 else np.asarray(y).ravel()
    _checks.same_length(X, y, f"load_table({path})")
    if y.ndim == 1 and y.dtype.kind == "f" and np.all(y == np.round(y)) and y.min() >= 0:
        y = y.astype(np.int64)
    return X, y


def read_csv(path: Path) -> np.ndarray:
    """A numeric CSV as a 2-D float array; a header line is skipped; text cells are a ValueError naming the cell."""
    return read_table(path).numbers()


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 digits (1797 rows, 64 features scaled to [0, 1]); needs scikit-learn."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError as exc:
        raise ImportError("the digits data set comes with scikit-learn: pip install 'chainrule[sklearn]'.") from exc
    bunch = sklearn_digits()
    return bunch.data / 16.0, bunch.target.astype(np.int64)
