"""The one name-to-class registry: what each name builds, the errors for unknown names, and that
no other module keeps a table of its own."""

import ast
import importlib
import inspect
from pathlib import Path

import pytest

import chainrule
from chainrule import (SGD, Adam, BatchNorm, BinaryCrossEntropy, Dense, Identity, Layer, LeakyReLU, Loss,
                       MeanSquaredError, Optimizer, ReLU, Sigmoid, SoftmaxCrossEntropy, Tanh, cli, mlp, registry)
from chainrule import activations, layers, losses, normalization, optimizers, schedules
from chainrule.classic import _bridge
from chainrule.schedules import CosineDecay, Schedule

PACKAGE = Path(chainrule.__file__).resolve().parent
# Files that still keep a table, each with the reason; drop the entry when the table goes.
ALLOWED: dict[str, str] = {
    "compiled.py": "the numba kernel's integer codes per supported class; the classes come from registry.lookup",
}


# -- what the names build ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, name, cls", [
    ("activation", "relu", ReLU), ("activation", "leaky_relu", LeakyReLU), ("activation", "linear", Identity),
    ("activation", "identity", Identity), ("activation", "tanh", Tanh),
    ("loss", "ce", SoftmaxCrossEntropy), ("loss", "bce", BinaryCrossEntropy), ("loss", "mse", MeanSquaredError),
    ("optimizer", "sgd", SGD), ("optimizer", "adam", Adam), ("schedule", "cosine", CosineDecay),
    ("layer", "Dense", Dense), ("layer", "BatchNorm", BatchNorm), ("layer", "Sigmoid", Sigmoid),
    ("loss", "BinaryCrossEntropy", BinaryCrossEntropy), ("optimizer", "Adam", Adam),
])
def test_lookup_finds_short_names_and_for_saved_kinds_class_names(kind, name, cls):
    assert registry.lookup(kind, name) is cls


def test_bce_is_binary_cross_entropy_from_logits_unless_the_caller_says_otherwise():
    assert registry.create("loss", "bce").from_logits is True
    assert registry.create("loss", "bce", from_logits=False).from_logits is False
    assert registry.create("loss", "BinaryCrossEntropy").from_logits is False       # a class name has no preset


def test_create_passes_keyword_arguments():
    optimizer = registry.create("optimizer", "sgd", lr=0.3, momentum=0.9)
    assert (type(optimizer), optimizer.lr, optimizer.momentum) == (SGD, 0.3, 0.9)


def engine_classes(module, base):
    return [cls for _, cls in inspect.getmembers(module, inspect.isclass)
            if cls.__module__ == module.__name__ and issubclass(cls, base) and cls is not base
            and cls is not activations.Activation]


@pytest.mark.parametrize("module, base, kind", [
    (layers, Layer, "layer"), (activations, Layer, "layer"), (normalization, Layer, "layer"),
    (activations, Layer, "activation"), (losses, Loss, "loss"), (optimizers, Optimizer, "optimizer"),
    (schedules, Schedule, "schedule")], ids=lambda x: getattr(x, "__name__", x))
def test_every_engine_class_has_a_name_in_the_registry(module, base, kind):
    classes = engine_classes(module, base)
    assert classes
    for cls in classes:
        found = [name for name in [cls.__name__, *registry.SHORT_NAMES.get(kind, {})]
                 if _finds(kind, name) is cls]
        assert found, f"{cls.__name__} has no {kind} name in chainrule.registry"


def _finds(kind, name):
    try:
        return registry.lookup(kind, name)
    except ValueError:
        return None


# -- unknown names ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, typo, meant", [
    ("activation", "rleu", "relu"), ("activation", "ReLU", "relu"), ("activation", "leakyrelu", "leaky_relu"),
    ("loss", "bec", "bce"), ("loss", "MSE", "mse"), ("optimizer", "adma", "adam"), ("optimizer", "ADAM", "adam"),
    ("layer", "Dens", "Dense"), ("layer", "batchnorm", "BatchNorm"), ("schedule", "cosin", "cosine"),
])
def test_a_typo_raises_value_error_with_did_you_mean_and_the_known_names(kind, typo, meant):
    with pytest.raises(ValueError) as info:
        registry.lookup(kind, typo, where="here")
    message = str(info.value)
    assert message.startswith(f"here: unknown {kind} {typo!r}; did you mean {meant!r}? Known {kind} names: ")
    assert all(name in message for name in registry.SHORT_NAMES.get(kind, {}))


def test_the_message_lists_short_names_then_class_names():
    with pytest.raises(ValueError) as info:
        registry.lookup("optimizer", "newton")
    assert str(info.value) == ("unknown optimizer 'newton'. Known optimizer names: adagrad, adam, adamw, rmsprop, "
                               "sgd; or a class name: Adagrad, Adam, AdamW, RMSprop, SGD.")


@pytest.mark.parametrize("name", [None, 3, ReLU], ids=["none", "number", "class"])
def test_a_name_that_is_not_a_string_raises_value_error(name):
    with pytest.raises(ValueError, match=r"^activation must be given by name, got .*Known activation names: "):
        registry.lookup("activation", name)


def test_an_unknown_kind_raises_value_error():
    with pytest.raises(ValueError, match=r"registry: unknown kind 'activations'; one of layer, activation, loss"):
        registry.lookup("activations", "relu")


def test_the_users_of_the_registry_pass_its_errors_on():
    with pytest.raises(ValueError, match=r"^mlp: unknown activation 'rleu'; did you mean 'relu'\?"):
        mlp([2, 3, 1], activation="rleu")
    with pytest.raises(ValueError, match=r"^linear_activation_forward: unknown activation 'sigmod'; did you mean "
                                         r"'sigmoid'\?"):
        _bridge.activation("sigmod", "linear_activation_forward")
    with pytest.raises(ValueError, match=r"^--loss: unknown loss 'bec'; did you mean 'bce'\?"):
        cli.make_loss("bec")


# -- register ---------------------------------------------------------------------------------------------
@pytest.fixture
def scratch_registry(monkeypatch):
    monkeypatch.setattr(registry, "CLASSES", dict(registry.CLASSES))


class Swish(Layer):
    pass


def test_register_adds_a_class_under_its_name_and_a_second_registration_replaces_it(scratch_registry):
    with pytest.raises(ValueError, match="unknown layer 'Swish'"):
        registry.lookup("layer", "Swish")
    assert registry.register(Swish) is Swish
    assert registry.lookup("layer", "Swish") is Swish
    again = type("Swish", (Layer,), {})                          # the notebook cell run twice
    registry.register(again)
    assert registry.lookup("layer", "Swish") is again
    assert chainrule.io.register is registry.register


def test_register_refuses_a_name_taken_by_another_kind_and_a_class_of_no_kind(scratch_registry):
    with pytest.raises(ValueError, match=r"'Adam' already belongs to chainrule\.optimizers\.Adam, which is not a layer"):
        registry.register(type("Adam", (Layer,), {}))
    with pytest.raises(ValueError, match="not a chainrule Layer, Loss or Optimizer"):
        registry.register(dict)


# -- the CLI's flags --------------------------------------------------------------------------------------
def test_the_cli_flags_name_registry_entries():
    parser = cli.build_parser()
    train = parser._subparsers._group_actions[0].choices["train"]
    choices = {action.dest: action.choices for action in train._actions if action.choices}
    assert choices["activation"] == sorted(registry.SHORT_NAMES["activation"])
    assert choices["optimizer"] == sorted(registry.SHORT_NAMES["optimizer"])
    assert set(choices["loss"]) <= set(registry.SHORT_NAMES["loss"])
    assert isinstance(cli.make_loss("ce"), SoftmaxCrossEntropy)
    assert cli.make_loss("bce").from_logits is True
    sgd, adam = cli.make_optimizer("sgd", 0.1, 0.9), cli.make_optimizer("adam", 0.01, 0.9)
    assert (type(sgd), sgd.lr, sgd.momentum) == (SGD, 0.1, 0.9)
    assert (type(adam), adam.lr) == (Adam, 0.01)


# -- one table --------------------------------------------------------------------------------------------
def registered_kind(value):
    """True for a class the registry holds kinds of: a Layer, Loss, Optimizer or Schedule subclass."""
    return isinstance(value, type) and issubclass(value, (Layer, Loss, Optimizer, Schedule))


def classes_named_by(expr, module, bound):
    """The registry-kind classes an expression in a dict stands for: ``ReLU``, ``activations.ReLU``,
    ``lambda: BinaryCrossEntropy(...)``, ``partial(BinaryCrossEntropy, ...)``, or a comprehension's
    variable bound to ``(Dense, Dropout, ...)``."""
    if isinstance(expr, ast.Lambda):
        return classes_named_by(expr.body, module, bound)
    if isinstance(expr, ast.Call):
        return [*classes_named_by(expr.func, module, bound),
                *[c for arg in expr.args[:1] for c in classes_named_by(arg, module, bound)]]
    if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
        return [c for elt in expr.elts for c in classes_named_by(elt, module, bound)]
    if isinstance(expr, ast.Starred):
        return classes_named_by(expr.value, module, bound)
    if isinstance(expr, ast.Name) and expr.id in bound:
        return classes_named_by(bound[expr.id], module, {})
    if isinstance(expr, (ast.Name, ast.Attribute)):
        try:
            value = eval(compile(ast.Expression(expr), "<dict value>", "eval"), vars(module))   # a dotted name only
        except Exception:
            return []
        return [value] if registered_kind(value) else []
    return []


def name_tables(path):
    """(module path, name) of each dict in ``path`` that maps to or from a registry-kind class."""
    relative = path.relative_to(PACKAGE).as_posix()
    dotted = "chainrule." + relative.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    module = importlib.import_module(dotted)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            exprs, bound = [*node.keys, *node.values], {}
        elif isinstance(node, ast.DictComp):
            exprs = [node.key, node.value]
            bound = {gen.target.id: gen.iter for gen in node.generators if isinstance(gen.target, ast.Name)}
        else:
            continue
        if any(classes_named_by(e, module, bound) for e in exprs if e is not None):
            found.add((relative, f"line {node.lineno}"))
    for name, value in vars(module).items():                # however a module-level table was built
        if isinstance(value, dict) and any(registered_kind(v) for v in [*value.keys(), *value.values()]):
            found.add((relative, name))
    return found


def test_the_registry_is_the_only_name_to_class_table():
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name != "__main__.py" and path != PACKAGE / "registry.py":
            found |= name_tables(path)
    unexpected = sorted(t for t in found if t[0] not in ALLOWED)
    assert not unexpected, (
        f"name-to-class tables outside chainrule/registry.py: {unexpected}. Look the names up with "
        "chainrule.registry.lookup / create instead of keeping a second table.")
    gone = sorted(set(ALLOWED) - {file for file, _ in found})
    assert not gone, f"{gone} no longer keep a table: drop them from ALLOWED"


def test_the_table_finder_sees_the_forms_a_table_takes():
    source_module = registry                         # resolves Dense, SGD, ... as registry.py imports them
    forms = ['{"relu": ReLU}', '{"bce": lambda: BinaryCrossEntropy(from_logits=True)}',
             '{cls.__name__: cls for cls in (Dense, Dropout)}', '{ReLU: "relu"}', '{"x": partial(SGD, lr=1)}']
    for form in forms:
        node = ast.parse(form, mode="eval").body
        bound = ({g.target.id: g.iter for g in node.generators} if isinstance(node, ast.DictComp) else {})
        exprs = [node.key, node.value] if isinstance(node, ast.DictComp) else [*node.keys, *node.values]
        assert any(classes_named_by(e, source_module, bound) for e in exprs), form
    plain = ast.parse('{"relu": "he_normal", "n": 3, "f": len}', mode="eval").body
    assert not any(classes_named_by(e, source_module, {}) for e in [*plain.keys, *plain.values])
