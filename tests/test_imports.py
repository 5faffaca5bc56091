"""Import direction (STYLE §4.1), the public names, and no matplotlib on ``import chainrule``."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import chainrule

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "chainrule"

# The engine's one-way order: each module may import only modules listed before it.
ORDER = [
    "_version",      # leaves: standard library and NumPy only
    "_checks",
    "_constants",    # 0-d scalars and ones vectors for the hot path: NumPy only
    "_numba_epoch",  # the compiled epoch's numba kernels: numba and NumPy only, imported by compiled when used
    "metrics",       # pure functions of labels and values: _checks and NumPy only
    "_files",
    "preprocessing", # Standardize, fitted on training X and saved with a model: _checks and NumPy only
    "initializers",
    "layers",
    "activations",
    "normalization", # BatchNorm, a Layer: uses _checks and layers
    "targets",       # classes or values, labels, one-hot, accuracy: _checks, activations.sigmoid / softmax
    "losses",        # value and gradient only: activations.sigmoid, targets.dense for class indices
    "optimizers",
    "schedules",
    "registry",      # the one name-to-class table: layers, activations, losses, optimizers, schedules
    "data",
    "callbacks",
    "hints",         # training hints from costs, a History and the layers: layers, activations, NumPy
    "compiled",      # the compiled epoch (the fast extra): supported models, the driver of _numba_epoch
    "plan",          # the training plan: the canonical step and the fast path, by exact built-in types
    "model",
    "builders",      # mlp(): Dense, activations, Sequential
    "gradcheck",
    "mnist",
    "datasets",
    "plotting",
    "sklearn",       # scikit-learn estimators over builders.mlp and Sequential.fit (optional extra, issue 15)
    "onnx",          # ONNX export of a Sequential (optional extra, issue 15)
]
# Top-level modules and subpackages above the engine: they may import anything.
UNRESTRICTED = {"classic", "doctor", "playground", "io", "cli", "__main__", "__init__"}
# Imports against the order that are allowed *inside a function only*, each a front door to a module above.
# Sequential.save(path) is chainrule.io.save(model, path): io owns the file format and builds a
# Sequential on load, so io stays above model and model reaches it when save is called (issue 12).
DEFERRED = {("model", "io")}


def module_name(path):
    """'layers' for src/chainrule/layers.py, 'classic' for anything under src/chainrule/classic/."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def imported_chainrule_modules(path):
    """Top-level chainrule modules that ``path`` imports (relative or absolute)."""
    depth = len(path.relative_to(PACKAGE).parts) - 1          # 0 for a top-level module
    return imports_in(path.read_text(encoding="utf-8"), depth)


def imports_in(source, depth=0, module_level_only=False):
    """Top-level chainrule modules imported by ``source``, a module ``depth`` packages below chainrule.

    ``module_level_only`` skips the imports inside function bodies (run when called, not on import).
    """
    tree = ast.parse(source)
    found = set()
    for node in (module_level_nodes(tree) if module_level_only else ast.walk(tree)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "chainrule" and len(parts) > 1:
                    found.add(parts[1])
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                parts = (node.module or "").split(".")
                if parts[0] != "chainrule":
                    continue
                rest = parts[1:]
            elif node.level - 1 == depth:                    # relative to the package root
                rest = node.module.split(".") if node.module else []
            else:                                            # inside a subpackage: not the engine's business
                continue
            if rest:
                found.add(rest[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def module_level_nodes(tree):
    """Every node of ``tree`` outside function bodies (class bodies and if/try blocks included)."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            todo.extend(ast.iter_child_nodes(node))


def all_modules():
    return sorted(PACKAGE.rglob("*.py"))


def test_the_order_list_names_real_modules():
    for name in ORDER:
        assert (PACKAGE / f"{name}.py").is_file(), f"{name}.py is in ORDER but does not exist"


def test_every_module_is_placed_in_the_import_order():
    unplaced = sorted({module_name(p) for p in all_modules()} - set(ORDER) - UNRESTRICTED)
    assert not unplaced, (
        f"new module(s) {unplaced} in src/chainrule are not in the import order; add each to ORDER in "
        "tests/test_imports.py at its level (or to UNRESTRICTED if it may import anything), as in STYLE §4.1."
    )


@pytest.mark.parametrize("path", [p for p in all_modules() if module_name(p) in ORDER],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_engine_modules_import_only_modules_above_them(path):
    name = module_name(path)
    level = ORDER.index(name)
    for target in sorted(imported_chainrule_modules(path)):
        if (name, target) in DEFERRED:
            continue                                  # checked below: only inside a function
        assert target in ORDER and ORDER.index(target) < level, (
            f"chainrule/{name}.py imports chainrule.{target}, which is not above it in the import order "
            f"{ORDER}; move the shared code down or import in the other direction."
        )


@pytest.mark.parametrize("name, target", sorted(DEFERRED))
def test_the_allowed_deferred_imports_stay_inside_functions(name, target):
    path = PACKAGE / f"{name}.py"
    depth = len(path.relative_to(PACKAGE).parts) - 1
    assert target in imported_chainrule_modules(path), f"({name!r}, {target!r}) is no longer needed in DEFERRED"
    assert target not in imports_in(path.read_text(encoding="utf-8"), depth, module_level_only=True), (
        f"chainrule/{name}.py imports chainrule.{target} at module level; it may do so only inside a function."
    )


def upward_imports(name, source):
    level = ORDER.index(name)
    return sorted(t for t in imports_in(source) if t not in ORDER or ORDER.index(t) >= level)


def test_the_import_walker_flags_upward_and_same_level_imports():
    assert upward_imports("layers", "from .model import Sequential") == ["model"]
    assert upward_imports("layers", "from . import layers, _checks") == ["layers"]
    assert upward_imports("losses", "import chainrule.cli") == ["cli"]
    assert upward_imports("data", "from chainrule import gradcheck") == ["gradcheck"]
    assert upward_imports("model", "def f():\n    from .io import save\n") == ["io"]
    assert upward_imports("model", "from .layers import Layer\nimport numpy as np") == []
    assert imports_in("def f():\n    from .io import save\n", module_level_only=True) == set()
    assert imports_in("class A:\n    from .io import save\n", module_level_only=True) == {"io"}
    assert imports_in("try:\n    from . import io\nexcept ImportError:\n    pass\n", module_level_only=True) == {"io"}


def test_the_import_walker_sees_the_real_imports():
    # model imports (at least) the five modules of the training loop; layers three; _checks none.
    assert imported_chainrule_modules(PACKAGE / "model.py") >= {
        "_checks", "callbacks", "data", "layers", "losses", "optimizers"}
    assert imported_chainrule_modules(PACKAGE / "layers.py") == {"_checks", "_constants", "initializers"}
    assert imported_chainrule_modules(PACKAGE / "_checks.py") == set()


def test_every_public_name_exists():
    missing = [name for name in chainrule.__all__ if not hasattr(chainrule, name)]
    assert not missing
    assert len(set(chainrule.__all__)) == len(chainrule.__all__)


def test_the_core_api_is_public():
    for name in ["Sequential", "Dense", "Dropout", "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "Identity", "Softmax",
                 "MeanSquaredError", "BinaryCrossEntropy", "SoftmaxCrossEntropy", "SGD", "Adam", "minibatches",
                 "one_hot", "train_val_split", "History", "EarlyStopping", "check_gradients"]:
        assert name in chainrule.__all__


def test_importing_chainrule_does_not_import_matplotlib():
    env = dict(os.environ, PYTHONPATH=str(PACKAGE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    code = "import sys, chainrule; print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
