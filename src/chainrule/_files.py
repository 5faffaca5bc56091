"""Safe files: atomic writes (temp file + rename) and ``.npz`` reads that never unpickle.

A crash or Ctrl-C during a save leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Callable, NamedTuple, Union

import numpy as np

PathLike = Union[str, "os.PathLike[str]"]
DOCUMENT_KEY = "__chainrule__"
ZIP_MAGIC = b"PK\x03\x04"            # every .npz is a zip archive
NPY_MAGIC = b"\x93NUMPY"


def atomic_write(path: PathLike, write: Callable[[Any], None], binary: bool = True) -> Path:
    """Call ``write(file)`` on a temporary file beside ``path``, fsync it, then rename it over ``path``."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ValueError(f"cannot write {path}: directory {directory} does not exist.")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb" if binary else "w") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, 0o666 & ~_umask())     # mkstemp makes 0600; give the usual permissions
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json(path: PathLike, document: Any) -> Path:
    """Write ``document`` as indented JSON, atomically."""
    return atomic_write(path, lambda f: json.dump(document, f, indent=1), binary=False)


def write_npz(path: PathLike, arrays: dict[str, np.ndarray], document: dict[str, Any]) -> Path:
    """Write arrays plus a JSON document (stored as a unicode array, not a pickle) as one ``.npz``, atomically."""
    payload = dict(arrays)
    payload[DOCUMENT_KEY] = np.array(json.dumps(document))
    return atomic_write(path, lambda f: np.savez(f, **payload))


#: what reading a damaged zip of .npy members raises (RuntimeError: a member flagged as encrypted)
READ_ERRORS = (ValueError, OSError, zipfile.BadZipFile, EOFError, KeyError, NotImplementedError, RuntimeError)


class ArrayHeader(NamedTuple):
    """What an ``.npy`` header declares, read before any of the data."""

    shape: tuple
    dtype: np.dtype
    offset: int             # bytes before the data (magic, version, header)


# NOTE: deflate cannot shrink data by more than about 1032:1, so a member declaring more is a bomb or a lie.
_MAX_DEFLATE_RATIO = 1100


def npy_header(file: Any, size: int, where: str) -> ArrayHeader:
    """Parse an ``.npy`` header from ``file`` (positioned at its start) and check it against ``size``.

    Refuses object dtypes (their data is a pickle), headers over NumPy's 10,000-byte safety limit and
    a declared shape whose bytes, ``prod(shape) · itemsize``, differ from what the ``size`` bytes hold.
    """
    version = np.lib.format.read_magic(file)
    if version not in ((1, 0), (2, 0), (3, 0)):
        raise ValueError(f"{where}: unknown .npy format version {version}")
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    try:
        shape, fortran, dtype = read(file)
    except ValueError:
        raise
    except Exception as exc:    # NOTE: NumPy's literal_eval and tokenize raise SyntaxError, TokenError, ...
        raise ValueError(f"{where}: the .npy header is damaged ({type(exc).__name__}: {exc})") from None
    offset = file.tell()
    if dtype.hasobject:
        raise ValueError(f"{where}: holds Python objects (dtype {dtype}), which only a pickle can rebuild; "
                         "chainrule never unpickles")
    data = math.prod(shape) * dtype.itemsize
    if offset + data != size:
        raise ValueError(f"{where}: the header declares shape {shape} of {dtype} ({data:,} bytes) but "
                         f"{max(size - offset, 0):,} bytes follow it")
    return ArrayHeader(tuple(shape), dtype, offset)


def npz_headers(path: PathLike) -> dict[str, ArrayHeader]:
    """Every member's declared shape and dtype, checked against the member's size and the file's, unread.

    Raises ``ValueError`` for a member that is not an ``.npy`` array, holds objects, or declares
    more bytes than it or the file holds, so that reading afterwards never allocates more than the file implies.
    """
    path = Path(path)
    headers = {}
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if sum(info.compress_size for info in members) > path.stat().st_size:
            raise ValueError("its members declare more bytes than the file holds")
        for info in members:
            where = f"member {info.filename}"
            if not info.filename.endswith(".npy"):
                raise ValueError(f"{where} is not an .npy array")
            stored = info.compress_type == zipfile.ZIP_STORED
            if (stored and info.file_size != info.compress_size) or \
                    info.file_size > _MAX_DEFLATE_RATIO * info.compress_size + 1024:
                raise ValueError(f"{where} declares {info.file_size:,} bytes from {info.compress_size:,} stored")
            with archive.open(info) as member:
                headers[info.filename[:-4]] = npy_header(member, info.file_size, where)
    return headers


def read_npz(path: PathLike, what: str = "model",
             check: Union[Callable[[dict[str, Any], dict[str, ArrayHeader]], None], None] = None,
             ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read what ``write_npz`` wrote. Never unpickles; any damage becomes a ``ValueError`` naming the file.

    Every array's header is checked against the member and file sizes first; then the JSON document
    is read, and ``check(document, headers)`` may refuse the file before any other array is read.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what} file {path} does not exist.")
    with open(path, "rb") as file:
        magic = file.read(6)
    if not magic.startswith(ZIP_MAGIC):
        # NOTE: np.load would call any other file "pickled data" and suggest allow_pickle=True, an unsafe load.
        kind = "a single NumPy array (.npy)" if magic == NPY_MAGIC else f"not a NumPy .npz archive (it starts with {magic!r})"
        raise ValueError(f"{path} is not a chainrule {what} file: it is {kind}. A chainrule {what} is an .npz "
                         "written by chainrule train or model.save.")
    headers = _unreadable_as_value_error(path, what, lambda: npz_headers(path))
    document_header = headers.pop(DOCUMENT_KEY, None)
    if document_header is None:
        raise ValueError(f"{path} is an .npz file but not a chainrule {what}: it has no {DOCUMENT_KEY} entry.")
    if document_header.dtype.kind != "U" or document_header.shape != ():
        raise ValueError(f"{path}: its {DOCUMENT_KEY} entry is {document_header.dtype}{document_header.shape}, "
                         "not a JSON string.")
    text = _unreadable_as_value_error(path, what, lambda: _read_members(path, [DOCUMENT_KEY]))[DOCUMENT_KEY]
    try:
        document = json.loads(str(text))
    except (json.JSONDecodeError, RecursionError) as exc:       # NOTE: 100k nested [ exhaust the parser's stack
        raise ValueError(f"{path}: the chainrule document inside is not valid JSON ({exc}).") from None
    if not isinstance(document, dict):
        raise ValueError(f"{path}: the chainrule document inside is not a JSON object.")
    if check is not None:
        check(document, headers)
    return _unreadable_as_value_error(path, what, lambda: _read_members(path, list(headers))), document


def _read_members(path: Path, names: list[str]) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name] for name in names}


def _unreadable_as_value_error(path: Path, what: str, read: Callable[[], Any]) -> Any:
    """``read()``, with any failure to read the archive reported as a ``ValueError`` naming the file."""
    try:
        return read()
    except READ_ERRORS as exc:
        raise ValueError(f"{path} is not a readable chainrule {what} file (.npz): {exc}. "
                         "It may be truncated or corrupted; use a backup or retrain.") from exc


def read_npy(path: PathLike) -> np.ndarray:
    """One ``.npy`` array, its header checked against the file size before reading; never unpickles."""
    path = Path(path)
    try:
        with open(path, "rb") as file:
            npy_header(file, path.stat().st_size, "it")
        return np.load(path, allow_pickle=False)
    except (ValueError, EOFError) as exc:
        raise ValueError(f"{path} is not a readable .npy array: {exc}.") from None
