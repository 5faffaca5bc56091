"""Hostile and broken files (issue 14): a clear error naming the file, or the same data; never code run.

Every file chainrule reads is tried: a saved model (``.npz``, ``chainrule.load``), a table (``.npz``
and ``.csv``, ``datasets.load_table``), a predict input (``.npy``, the CLI's reader), an IDX file
(``read_idx``, plain and gzip), Nielsen's ``mnist.pkl.gz`` (``load_mnist``), the course's cat ``.h5``
(``classic.load_cat_data``), a network2 ``.json`` (``classic.nielsen.load``) and a notebook for the
doctor (``doctor.check_file``). Each is damaged six ways: truncated (5 cuts), bit-flipped, zero-length,
in the wrong format (2), a pickled object whose unpickling would create a marker file, and an
oversized header (a declared shape far beyond the file's size, or JSON nested 100,000 deep).

Outcome of every load: a ``ValueError`` whose message names the file, or the data loaded. Formats with
a checksum (zip, gzip) must then give back exactly the original; formats without one (plain IDX, CSV,
HDF5, JSON, notebooks) may give back changed values, but never crash, hang or allocate what the file
does not hold.

The default run flips 40 bits per file kind; ``CHAINRULE_SLOW=1`` flips 1,000.
"""

import builtins
import gzip
import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

import chainrule
from chainrule import _files
from chainrule.classic import nielsen
from chainrule.datasets import load_table, read_idx
from chainrule.doctor import check_file
from chainrule.mnist import load_mnist

SLOW = os.environ.get("CHAINRULE_SLOW") == "1"
N_FLIPS = 1000 if SLOW else 40
X_PROBE = np.random.default_rng(0).normal(size=(5, 3))


class Exploit:
    """Unpickling this runs ``exec`` and creates ``marker``: what a hostile pickle does."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return builtins.exec, (f"open({str(self.marker)!r}, 'w').close()",)


def exploit_pickle(marker: Path) -> bytes:
    return pickle.dumps(Exploit(marker))


# -- the file kinds: make a good file, load it, and compare ---------------------------------------------
def make_model(folder: Path) -> Path:
    model = chainrule.Sequential([chainrule.Dense(3, 4), chainrule.Tanh(), chainrule.Dense(4, 2)], seed=0)
    model.fit(X_PROBE, np.array([0, 1, 0, 1, 1]), chainrule.SoftmaxCrossEntropy(), chainrule.Adam(), epochs=2)
    model.save(folder / "model.npz")
    return folder / "model.npz"


def make_table_npz(folder: Path) -> Path:
    np.savez(folder / "table.npz", X=X_PROBE, y=np.array([0, 1, 2, 1, 0]))
    return folder / "table.npz"


def make_csv(folder: Path) -> Path:
    rows = np.column_stack([X_PROBE, [0, 1, 2, 1, 0]])
    (folder / "table.csv").write_text("a,b,c,label\n" + "\n".join(",".join(f"{v:.6f}" for v in r) for r in rows))
    return folder / "table.csv"


def make_npy(folder: Path) -> Path:
    np.save(folder / "inputs.npy", X_PROBE)
    return folder / "inputs.npy"


def idx_bytes(images: np.ndarray) -> bytes:
    return bytes([0, 0, 8, images.ndim]) + np.array(images.shape, ">u4").tobytes() + images.tobytes()


IMAGES = np.arange(4 * 3 * 3, dtype=np.uint8).reshape(4, 3, 3)


def make_idx(folder: Path) -> Path:
    (folder / "images-idx3-ubyte").write_bytes(idx_bytes(IMAGES))
    return folder / "images-idx3-ubyte"


def make_idx_gz(folder: Path) -> Path:
    (folder / "images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(IMAGES)))
    return folder / "images-idx3-ubyte.gz"


def mnist_tuple() -> tuple:
    rng = np.random.default_rng(1)
    return tuple((rng.random((m, 784)).astype(np.float32), np.arange(m) % 10) for m in (3, 2, 2))


def make_pkl_gz(folder: Path) -> Path:
    (folder / "mnist.pkl.gz").write_bytes(gzip.compress(pickle.dumps(mnist_tuple(), protocol=2)))
    return folder / "mnist.pkl.gz"


def make_h5(folder: Path) -> Path:
    h5py = pytest.importorskip("h5py")
    rng = np.random.default_rng(2)
    for split, m in (("train", 3), ("test", 2)):
        with h5py.File(folder / f"{split}_catvnoncat.h5", "w") as f:
            f[f"{split}_set_x"] = rng.integers(0, 256, (m, 4, 4, 3), dtype=np.uint8)
            f[f"{split}_set_y"] = np.arange(m) % 2
            f["list_classes"] = np.array([b"non-cat", b"cat"])
    return folder / "train_catvnoncat.h5"


def make_network2(folder: Path) -> Path:
    nielsen.Network([3, 4, 2], seed=0).save(folder / "net.json")
    return folder / "net.json"


def make_ipynb(folder: Path) -> Path:
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
            "source": ["import numpy as np\n", "def sigmoid(z):\n", "    return 1 / (1 + np.exp(-z))\n"]}
    (folder / "learner.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                                      "nbformat_minor": 5}))
    return folder / "learner.ipynb"


def load_model(path: Path):
    return chainrule.load(path).predict(X_PROBE)


def load_cat(path: Path):
    from chainrule.classic import load_cat_data
    return load_cat_data(path.parent)


def load_doctor(path: Path):
    report = check_file(path)
    return report.to_text() if hasattr(report, "to_text") else str(report)


def same_arrays(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, (tuple, list)):
        return isinstance(b, (tuple, list)) and len(a) == len(b) and all(same_arrays(x, y) for x, y in zip(a, b))
    if isinstance(a, nielsen.Network):
        return same_arrays(a.weights + a.biases, b.weights + b.biases)
    return a == b


def is_arrays(result) -> bool:
    """A well-formed result for a format without a checksum: arrays (or a Network, or the doctor's text)."""
    if isinstance(result, (tuple, list)):
        return all(is_arrays(r) for r in result)
    return isinstance(result, (np.ndarray, nielsen.Network, str))


# name: (make, load, checksummed)
KINDS = {
    "model.npz": (make_model, load_model, True),
    "table.npz": (make_table_npz, load_table, True),
    "table.csv": (make_csv, load_table, False),
    "inputs.npy": (make_npy, _files.read_npy, False),
    "idx": (make_idx, read_idx, False),
    "idx.gz": (make_idx_gz, read_idx, True),
    "mnist.pkl.gz": (make_pkl_gz, load_mnist, True),
    "cat.h5": (make_h5, load_cat, False),
    "network2.json": (make_network2, nielsen.load, False),
    "notebook.ipynb": (make_ipynb, load_doctor, False),
}


def try_load(kind: str, path: Path, original) -> str:
    """Load a damaged file: 'refused' (a ValueError naming it) or 'loaded' (checked against the original)."""
    _, load, checksummed = KINDS[kind]
    try:
        result = load(path)
    except ValueError as exc:
        assert path.name in str(exc), f"{kind}: the error does not name the file: {exc}"
        return "refused"
    if checksummed:
        assert same_arrays(original, result), f"{kind}: a damaged file loaded with different data"
    else:
        assert is_arrays(result), f"{kind}: loaded {type(result).__name__}"
    return "loaded"


@pytest.fixture(params=sorted(KINDS))
def good(request, tmp_path):
    """(kind, path of a good file, what loading it gives, its bytes)."""
    kind = request.param
    path = KINDS[kind][0](tmp_path)
    return kind, path, KINDS[kind][1](path), path.read_bytes()


# -- the damage ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fraction", [0.0, 0.05, 0.3, 0.6, 0.95, "last byte"])
def test_truncated_files_are_refused_naming_them(good, fraction):
    kind, path, original, data = good
    cut = len(data) - 1 if fraction == "last byte" else int(len(data) * fraction)
    path.write_bytes(data[:cut])
    outcome = try_load(kind, path, original)
    if KINDS[kind][2] or kind in ("idx", "inputs.npy", "notebook.ipynb", "network2.json"):
        assert outcome == "refused"        # a length or a structure tells: the cut cannot go unnoticed


def test_bit_flipped_files_are_refused_or_load_the_same_data(good):
    kind, path, original, data = good
    rng = np.random.default_rng(len(kind))
    outcomes = []
    for position in rng.integers(0, len(data), N_FLIPS):
        flipped = bytearray(data)
        flipped[position] ^= 1 << int(rng.integers(0, 8))
        path.write_bytes(bytes(flipped))
        outcomes.append(try_load(kind, path, original))
    assert len(outcomes) == N_FLIPS


def test_wrong_format_files_are_refused_naming_them(good, tmp_path):
    kind, path, original, _ = good
    others = sorted(KINDS)
    other = others[(others.index(kind) + 3) % len(others)]
    folder = tmp_path / "other"
    folder.mkdir()
    for wrong in (KINDS[other][0](folder).read_bytes(), b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4):
        path.write_bytes(wrong)
        assert try_load(kind, path, original) == "refused"


def test_pickled_objects_are_never_unpickled(good, tmp_path):
    kind, path, original, _ = good
    marker = tmp_path / "pwned"
    payload = exploit_pickle(marker)
    attempts = [payload, gzip.compress(payload)]
    if kind in ("model.npz", "table.npz"):          # an object array inside an otherwise good archive
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        for name in list(arrays)[:2]:
            buffer = io.BytesIO()
            np.savez(buffer, **{**arrays, name: np.array([Exploit(marker)], dtype=object)})
            attempts.append(buffer.getvalue())
    if kind == "inputs.npy":
        buffer = io.BytesIO()
        np.save(buffer, np.array([Exploit(marker)], dtype=object), allow_pickle=True)
        attempts.append(buffer.getvalue())
    if kind == "mnist.pkl.gz":                      # the exploit inside Nielsen's tuple
        attempts.append(gzip.compress(pickle.dumps(((Exploit(marker), np.arange(3)),) + mnist_tuple()[1:])))
    for attempt in attempts:
        path.write_bytes(attempt)
        assert try_load(kind, path, original) == "refused"
        assert not marker.exists(), f"{kind}: loading a file ran code from it"


def test_the_exploit_pickle_does_create_its_marker_when_unpickled(tmp_path):
    # the control for the test above: its payload really would run
    pickle.loads(exploit_pickle(tmp_path / "pwned"))
    assert (tmp_path / "pwned").exists()


def with_npy_shape(raw: bytes, shape: tuple) -> bytes:
    """An .npy file's bytes with its header rewritten to declare ``shape``; the data stays as it was."""
    file = io.BytesIO(raw)
    np.lib.format.read_magic(file)
    _, fortran, dtype = np.lib.format.read_array_header_1_0(file)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": np.lib.format.dtype_to_descr(dtype),
                                                  "fortran_order": fortran, "shape": shape})
    return header.getvalue() + raw[file.tell():]


def rezipped(path: Path, member: str, shape: tuple) -> bytes:
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members[member] = with_npy_shape(members[member], shape)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, raw in members.items():
            archive.writestr(name, raw)
    return buffer.getvalue()


def oversized(kind: str, path: Path, tmp_path: Path) -> list[bytes]:
    """Files that declare far more than they hold (or nest deeper than a parser's stack)."""
    huge = (300_000, 400_000)                        # 960 GB of float64
    deep = b"[" * 100_000 + b"]" * 100_000
    if kind == "model.npz":
        arrays, document = _files.read_npz(path)
        document["layers"][0]["config"].update(n_in=10**6, n_out=10**6)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays, __chainrule__=np.array(json.dumps(document)))
        return [rezipped(path, "layers.1.W.npy", huge), buffer.getvalue(),
                rezipped(path, "layers.1.W.npy", (2**62, 2**62)), _with_document(arrays, deep)]
    if kind == "table.npz":
        return [rezipped(path, "X.npy", huge)]
    if kind == "inputs.npy":
        return [with_npy_shape(path.read_bytes(), huge)]
    if kind in ("idx", "idx.gz"):
        header = bytes([0, 0, 8, 3]) + np.array([2**32 - 1] * 3, ">u4").tobytes() + IMAGES.tobytes()
        return [header, gzip.compress(header), gzip.compress(idx_bytes(np.zeros((20_000, 28, 28), np.uint8)))[:2000]]
    if kind == "mnist.pkl.gz":
        return [gzip.compress(pickle.dumps(((np.zeros((2, 784), np.float32), np.zeros(2)),) * 2 + (Huge(),)))]
    if kind == "cat.h5":
        h5py = pytest.importorskip("h5py")
        with h5py.File(tmp_path / "huge.h5", "w") as f:   # declared, never written: HDF5 stores no chunks
            f.create_dataset("train_set_x", shape=(10**9, 64, 64, 3), dtype=np.uint8, chunks=(1, 64, 64, 3))
            f["train_set_y"] = np.zeros(10**9 // 10**9)
        return [(tmp_path / "huge.h5").read_bytes()]
    if kind == "network2.json":
        document = json.loads(path.read_text())
        document["sizes"] = [10**6, 10**6]
        return [json.dumps(document).encode(), deep]
    if kind == "table.csv":
        return [b"x" * 2_000_000 + b"\n1,2\n"]       # a 2 MB one-column header over a two-column row
    return [deep]


class Huge:
    """Pickles as NumPy's own array reconstruction, declaring 10^7 x 784 float32 over 16 bytes of data."""

    def __reduce__(self):
        from numpy._core.multiarray import _reconstruct
        return _reconstruct, (np.ndarray, (0,), b"b"), (1, (10**7, 784), np.dtype(np.float32), False, b"\0" * 16)


def _with_document(arrays: dict, text: bytes) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays, __chainrule__=np.array(text.decode()))
    return buffer.getvalue()


def test_oversized_headers_are_refused_before_allocating(good, tmp_path):
    kind, path, original, _ = good
    for content in oversized(kind, path, tmp_path):
        path.write_bytes(content)
        outcome = try_load(kind, path, original)
        assert outcome == "refused"             # the CSV: its header's width does not match its rows


def test_zero_length_files_are_refused_naming_them(good):
    kind, path, original, _ = good
    path.write_bytes(b"")
    assert try_load(kind, path, original) == "refused"


def test_a_model_header_declaring_terabytes_is_a_value_error_not_a_memory_error(tmp_path):
    # the hole of issue 14: np.load tried to allocate the declared shape before reading
    path = make_model(tmp_path)
    path.write_bytes(rezipped(path, "layers.1.W.npy", (300_000, 400_000)))
    with pytest.raises(ValueError, match=r"model\.npz.*layers\.1\.W\.npy.*\(300000, 400000\).*960,000,000,000 bytes"):
        chainrule.load(path)


def test_a_model_document_asking_for_a_huge_layer_is_refused_before_building_it(tmp_path):
    path = make_model(tmp_path)
    arrays, document = _files.read_npz(path)
    document["layers"][0]["config"].update(n_in=10**6, n_out=10**6)
    np.savez(path, **arrays, __chainrule__=np.array(json.dumps(document)))
    with pytest.raises(ValueError, match=r"layer 1 Dense.*1,000,000,000,000 values but the file stores 16"):
        chainrule.load(path)


def test_an_idx_header_declaring_more_than_the_file_holds_is_refused(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(bytes([0, 0, 8, 3]) + np.array([2**32 - 1] * 3, ">u4").tobytes() + IMAGES.tobytes())
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte: IDX file is truncated.*4294967295"):
        read_idx(path)
