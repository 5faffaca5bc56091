"""Safe files: atomic writes (temp file + rename) and ``.npz`` reads that never unpickle.

A crash or Ctrl-C during a save leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Callable, Union

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


def read_npz(path: PathLike, what: str = "model") -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read what ``write_npz`` wrote. Never unpickles; any damage becomes a ``ValueError`` naming the file."""
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
    try:
        loaded = np.load(path, allow_pickle=False)
        with loaded as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, KeyError, NotImplementedError) as exc:
        raise ValueError(f"{path} is not a readable chainrule {what} file (.npz): {exc}. "
                         "It may be truncated or corrupted; use a backup or retrain.") from exc
    if DOCUMENT_KEY not in arrays:
        raise ValueError(f"{path} is an .npz file but not a chainrule {what}: it has no {DOCUMENT_KEY} entry.")
    try:
        document = json.loads(str(arrays.pop(DOCUMENT_KEY)))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: the chainrule document inside is not valid JSON ({exc}).") from exc
    if not isinstance(document, dict):
        raise ValueError(f"{path}: the chainrule document inside is not a JSON object.")
    return arrays, document
