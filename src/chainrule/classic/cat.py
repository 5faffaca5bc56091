"""The course's cat / non-cat data (``train_catvnoncat.h5``, ``test_catvnoncat.h5``); needs h5py."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Union

import numpy as np

FILES = ("train_catvnoncat.h5", "test_catvnoncat.h5")


def _directory(path_or_dir: Union[str, os.PathLike, None]) -> Path:
    if path_or_dir is None:
        env = os.environ.get("CHAINRULE_DATA")
        if not env:
            raise FileNotFoundError(
                "load_cat_data: no path given and CHAINRULE_DATA is not set. Pass the directory holding "
                f"{FILES[0]} and {FILES[1]} (the course's files), or set CHAINRULE_DATA to it."
            )
        path_or_dir = env
    path = Path(path_or_dir)
    directory = path.parent if path.is_file() else path
    missing = [name for name in FILES if not (directory / name).is_file()]
    if missing:
        raise FileNotFoundError(f"load_cat_data: {', '.join(missing)} not found in {directory}; "
                                f"put the course's {FILES[0]} and {FILES[1]} there.")
    return directory


def load_cat_data(path_or_dir: Union[str, os.PathLike, None] = None):
    """Load the cat data flattened and scaled as the course does: ``x.reshape(m, -1).T / 255.``

    Returns
    -------
    train_x (12288, 209), train_y (1, 209), test_x (12288, 50), test_y (1, 50), classes
    """
    try:
        import h5py
    except ImportError as exc:
        raise ImportError("load_cat_data needs h5py: pip install 'chainrule[data]' (or pip install h5py).") from exc
    directory = _directory(path_or_dir)
    arrays = {}
    for split, name in zip(("train", "test"), FILES):
        try:
            with h5py.File(directory / name, "r") as f:
                arrays[f"{split}_x"] = _dataset(f, f"{split}_set_x", directory / name)
                arrays[f"{split}_y"] = _dataset(f, f"{split}_set_y", directory / name)
                if split == "test":
                    arrays["classes"] = _dataset(f, "list_classes", directory / name)
        except (OSError, KeyError, TypeError, RuntimeError) as exc:
            raise ValueError(f"load_cat_data: {directory / name} is not the course's HDF5 file ({exc}).") from exc
    train_x = arrays["train_x"].reshape(arrays["train_x"].shape[0], -1).T / 255.
    test_x = arrays["test_x"].reshape(arrays["test_x"].shape[0], -1).T / 255.
    train_y = arrays["train_y"].reshape(1, -1)
    test_y = arrays["test_y"].reshape(1, -1)
    return train_x, train_y, test_x, test_y, arrays["classes"]


def _dataset(file: Any, key: str, path: Path) -> np.ndarray:
    """One dataset, its declared shape and dtype checked before reading: numbers or bytes, and no more
    than 1100 times the file's size (HDF5 can declare a huge dataset that a tiny file does not store)."""
    import h5py
    dataset = file[key]
    if not isinstance(dataset, h5py.Dataset):
        raise ValueError(f"load_cat_data: {path} entry {key} is a {type(dataset).__name__}, not a dataset; "
                         "it is not the course's HDF5 file.")
    dtype = dataset.dtype
    if dtype.kind not in "biufS":
        raise ValueError(f"load_cat_data: {path} dataset {key} has dtype {dtype}, not numbers; "
                         "it is not the course's HDF5 file.")
    if dataset.size * dtype.itemsize > 1100 * path.stat().st_size + 1024:
        raise ValueError(f"load_cat_data: {path} dataset {key} declares shape {dataset.shape} of {dtype}, more "
                         "than the file can hold; the file is corrupt or not the course's.")
    return np.array(dataset[()])
