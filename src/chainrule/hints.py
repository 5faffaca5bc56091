"""Training hints: what a run's costs, weights and activations say, in words a learner can act on.

    for hint in training_hints(model.history, model, X_train, lr=0.5):
        print(hint)        # hint: cost rising for 6 epochs (0.41 -> 0.93): lr 3.0 is too high, try 0.3 ...

Each hint is a plain threshold on numbers the run already has (the constants below). The cost
rules look only at the list of costs, so ``cost_hints`` can be called again on a growing list
(a live plot) and a hint shown as soon as it fires. ``start`` is the median of the first five
costs (one blown-up first epoch does not move it); "level" is the mean cost in the window.

===============  ===========================================================================
code             rule
===============  ===========================================================================
lr_too_high      the cost rose RISING_STEPS (5) times in a row, by more than 5% of where the
                 streak began and 1% of ``start``; or the mean of the last 3 costs is more
                 than twice the minimum and above it by 10% of ``start``; or a cost is nan/inf
oscillating      over the last WINDOW (20) steps: the differences change sign at least half of
                 the time, the net decrease is under 25% of the path travelled, and the mean
                 step |Δ| is over 10% of the level, which is over 1% of ``start``
flat             the last FLAT_WINDOW (10) costs span less than 1e-3 of their level (1e-4 a
                 step) while the cost is still above half of ``start``
symmetry         at least half the units of a hidden Dense are identical: equal columns of W
                 (W is (n_in, n_out), one column per unit) and equal entries of b
dead_units       more than half the units of a ReLU are never positive on X
saturated        more than half the units of a hidden sigmoid/tanh have g'(Z) < 1e-3 on more
                 than 95% of the examples of X (|Z| > 6.9 for sigmoid, > 3.8 for tanh). A
                 trained flower net's tanh units act as steps and sit at 75-90%: that is fine
input_scale      a feature of X has std or |mean| above 10, or the typical (median) feature
                 scale max(std, |mean|) is below 0.01
overfitting      train accuracy minus validation accuracy above 0.15 (means of the last 3
                 epochs); or val_loss (mean of the last 3) at least twice its minimum and
                 twice the training loss, while the training loss kept falling since then
===============  ===========================================================================
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Mapping, Sequence, TextIO, Union

import numpy as np

from .activations import ReLU, Sigmoid, Tanh
from .layers import Dense

RISING_STEPS = 5        # consecutive increases that count as "rising"
WINDOW = 20             # recent steps examined for oscillation
FLAT_WINDOW = 10        # recent steps examined for a flat cost
FLAT_RANGE = 1e-3       # a flat window spans less than this fraction of its level
DEAD_FRACTION = 0.5     # report a ReLU layer when more than this fraction of its units is dead
SATURATED_GRAD = 1e-3   # g'(Z) below this counts as saturated ...
SATURATED_EXAMPLES = 0.95   # ... on more than this fraction of the examples
LARGE_INPUT, SMALL_INPUT = 10.0, 0.01
GAP = 0.15              # train minus validation accuracy that counts as overfitting

CODES = ("symmetry", "lr_too_high", "oscillating", "flat", "dead_units", "saturated", "input_scale", "overfitting")


@dataclass(frozen=True)
class Hint:
    """One finding: ``code`` (one of ``CODES``), a message saying what, why and what to try, and
    the layer it concerns (``layer.describe()``) or ``None``."""

    code: str
    message: str
    layer: Union[str, None] = None

    def __str__(self) -> str:
        return f"hint: {self.message}"


# -- costs --------------------------------------------------------------------------------------------
def cost_hints(costs: Sequence[Any], lr: Union[float, None] = None, unit: str = "steps") -> list[Hint]:
    """Hints from a list of costs (floats or 0-d arrays, one per epoch or iteration), oldest first.

    ``lr`` makes the advice concrete ("try 0.3"); ``unit`` names a step in the messages, as a plural
    ("epochs"). The rules are in the module docstring. At most one of lr_too_high and oscillating
    is returned (they share a cure). Cheap enough to call again after every epoch of a live run.
    """
    c = _as_costs(costs)
    bad = np.flatnonzero(~np.isfinite(c))
    if bad.size:
        i = int(bad[0])
        return [Hint("lr_too_high", f"cost became {c[i]} at {unit[:-1]} {i + 1}: the updates overshoot and blow up. "
                                    f"{_smaller(lr)}, or standardize X.")]
    if c.size < 2:
        return []
    start = float(np.median(np.abs(c[:5])))
    found = [_rising(c, start, lr, unit) or _oscillating(c, start, lr, unit), _flat(c, start, lr, unit)]
    return [hint for hint in found if hint]


def _as_costs(costs: Sequence[Any]) -> np.ndarray:
    """Floats, NumPy scalars or one-element arrays (a learner's ``np.squeeze(cost)``) as a 1-D array."""
    costs = costs if isinstance(costs, np.ndarray) else list(costs)
    try:
        c = np.asarray(costs, dtype=np.float64)
    except (TypeError, ValueError):
        c = None
    if c is None or c.size != len(costs):
        shapes = sorted({np.shape(cost) for cost in costs}, key=len)
        raise ValueError(f"cost_hints: each cost must be one number (a float or a 0-d array); got shapes {shapes}.")
    return c.reshape(-1)


def _num(x: float) -> str:
    """3 significant digits, written as Python writes floats: 0.3, 1.2, 1e-05."""
    return repr(float(f"{x:.3g}"))


def _smaller(lr: Union[float, None]) -> str:
    return f"lr {_num(lr)} is too high, try {_num(lr / 10)}" if lr else "the learning rate is too high, try one 10x smaller"


def _rising(c: np.ndarray, start: float, lr: Union[float, None], unit: str) -> Union[Hint, None]:
    k = 0
    while k < c.size - 1 and c[-1 - k] > c[-2 - k]:
        k += 1
    rise = c[-1] - c[-1 - k] if k else 0.0
    if k >= RISING_STEPS and rise > 0.05 * abs(c[-1 - k]) and rise > 0.01 * start:
        return Hint("lr_too_high", f"cost rising for {k} {unit} ({c[-1 - k]:.4g} -> {c[-1]:.4g}): {_smaller(lr)} "
                                   "(each update overshoots the minimum it is heading for).")
    if c.size < RISING_STEPS + 3:
        return None
    end, low, at = float(c[-3:].mean()), float(c.min()), int(c.argmin())
    if at < c.size - 3 and end - low > max(low, 0.1 * start):
        return Hint("lr_too_high", f"cost ends at {end:.4g}, far above its minimum {low:.4g} ({unit[:-1]} {at + 1}): "
                                   f"{_smaller(lr)}, or let it decay (chainrule.schedules).")
    return None


def _oscillating(c: np.ndarray, start: float, lr: Union[float, None], unit: str) -> Union[Hint, None]:
    if c.size < 11:
        return None
    w = c[-WINDOW - 1:]
    d = np.diff(w)
    changes = int(np.count_nonzero(np.sign(d[1:]) != np.sign(d[:-1])))
    path, step = float(np.abs(d).sum()), float(np.abs(d).mean())
    if (changes >= 0.5 * (d.size - 1) and w[0] - w[-1] < 0.25 * path
            and step > 0.1 * abs(w.mean()) > 0.001 * start):
        return Hint("oscillating", f"cost oscillating over the last {d.size} {unit} (between {w.min():.4g} and "
                                   f"{w.max():.4g}, {changes} changes of direction, no net progress): {_smaller(lr)}, "
                                   "or use larger batches.")
    return None


def _flat(c: np.ndarray, start: float, lr: Union[float, None], unit: str) -> Union[Hint, None]:
    if c.size <= FLAT_WINDOW:
        return None
    w = c[-FLAT_WINDOW - 1:]
    level = abs(float(w.mean()))
    if level > 0.5 * start > 0 and float(w.max() - w.min()) < FLAT_RANGE * level:
        change = float(w.max() - w.min()) / level
        lr_text = f"lr {_num(lr)} may be too low, try {_num(lr * 10)}" if lr else "the learning rate may be too low"
        return Hint("flat", f"cost flat for {FLAT_WINDOW} {unit} at {c[-1]:.4g} (relative change {change:.1e}; it "
                            f"started near {start:.4g}): {lr_text}; or the hidden units are dead or saturated.")
    return None


# -- the model: weights and one forward pass -----------------------------------------------------------
def model_hints(layers: Any, X: Any = None, batch_size: int = 4096) -> list[Hint]:
    """Hints from the layers (a list, or a ``Sequential``) and, when given, inputs X (m, n_features).

    The weights alone give symmetry. With X: input_scale, then one forward pass, layer by layer
    (``forward(A, training=False)``, ``batch_size`` rows at a time) for dead_units and saturated.

    NOTE: the pass overwrites what each layer cached for ``backward``: call it between training
    steps, never between a forward and its backward.
    """
    layers = list(getattr(layers, "layers", layers))
    names = [_name(layer, i) for i, layer in enumerate(layers, start=1)]
    dense = [i for i, layer in enumerate(layers) if isinstance(layer, Dense)]
    hints = [h for i in dense[:-1] if (h := _symmetry(layers[i], names[i]))]
    if X is None:
        return hints
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"model_hints: X must be (m, n_features), got shape {X.shape}.")
    if X.dtype.kind not in "f":
        X = X.astype(np.float64)
    hints += _input_scale(X)
    m = X.shape[0]
    if m == 0:
        return hints
    for health in unit_health(layers, X, batch_size):
        name, n, count = names[health.position], health.units, health.count
        if count <= DEAD_FRACTION * n:
            continue
        if health.kind == "dead":
            hints.append(Hint("dead_units", f"{name}: {count} of {n} units ({count / n:.0%}) are dead: Z <= 0 on all "
                              f"{X.shape[0]} examples, so their gradient is 0 and they never recover. Try a smaller lr, "
                              "He initialization (init='he_normal'), less negative biases, or LeakyReLU.", name))
        else:
            g = "σ'(Z)" if isinstance(layers[health.position], Sigmoid) else "tanh'(Z)"
            hints.append(Hint("saturated", f"{name}: {count} of {n} units are saturated: {g} < {SATURATED_GRAD:g} "
                              f"on more than {SATURATED_EXAMPLES:.0%} of the examples, so almost no gradient flows "
                              "through them. Standardize X, use smaller initial weights (Glorot) or a smaller lr.",
                              name))
    return hints


@dataclass(frozen=True)
class UnitHealth:
    """How many of a hidden activation layer's units are stuck: ``kind`` is ``"dead"`` (a ReLU unit
    never positive on X) or ``"saturated"`` (a sigmoid/tanh unit with g'(Z) < SATURATED_GRAD on more
    than SATURATED_EXAMPLES of X); ``position`` is the layer's 0-based place in the list."""

    position: int
    kind: str
    units: int
    count: int

    @property
    def fraction(self) -> float:
        return self.count / self.units if self.units else 0.0


def unit_health(layers: Any, X: np.ndarray, batch_size: int = 4096) -> list[UnitHealth]:
    """One ``UnitHealth`` per ReLU layer and per hidden sigmoid/tanh layer, from one forward pass over X.

    The pass runs ``forward(A, training=False)`` layer by layer, ``batch_size`` rows at a time, so it
    overwrites what each layer cached for ``backward`` (see ``model_hints``).
    """
    layers = list(getattr(layers, "layers", layers))
    dense = [i for i, layer in enumerate(layers) if isinstance(layer, Dense)]
    hidden = layers[:dense[-1]] if dense else layers
    alive = {i: False for i, layer in enumerate(layers) if isinstance(layer, ReLU)}    # unit ever positive
    squashed = {i: 0 for i, layer in enumerate(hidden) if isinstance(layer, (Sigmoid, Tanh))}  # examples, g' tiny
    m = X.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        for begin in range(0, m, batch_size):
            A = X[begin:begin + batch_size]
            for i, layer in enumerate(layers):
                A = layer.forward(A, training=False)
                if i in alive:
                    alive[i] = alive[i] | (A > 0).any(axis=0)
                elif i in squashed:
                    grad = A * (1 - A) if isinstance(layer, Sigmoid) else 1 - A * A      # g'(Z) from A = g(Z)
                    squashed[i] = squashed[i] + (grad < SATURATED_GRAD).sum(axis=0)
    found = [UnitHealth(i, "dead", ever.size, ever.size - int(np.count_nonzero(ever))) for i, ever in alive.items()]
    found += [UnitHealth(i, "saturated", counts.size, int(np.count_nonzero(counts > SATURATED_EXAMPLES * m)))
              for i, counts in squashed.items()]
    return sorted(found, key=lambda health: health.position)


def _name(layer: Any, position: int) -> str:
    name = layer.describe()
    if getattr(layer, "index", None) is None:           # not in a Sequential: number it by position
        kind = type(layer).__name__
        name = name.replace(kind, f"{kind} layer {position}", 1)
    return name


def _symmetry(layer: Dense, name: str) -> Union[Hint, None]:
    n = layer.W.shape[1]
    units = np.vstack([layer.W, layer.b[None, :]]).T.astype(np.float64)     # one row per unit: W[:, j] and b[j]
    scale = float(np.abs(units).max())
    with np.errstate(invalid="ignore"):                  # inf weights: nan rows, never equal, no warning
        rounded = np.round(units / scale, 9) if scale > 0 else units
    _, counts = np.unique(rounded, axis=0, return_counts=True)
    same = int(counts.max())
    if n < 2 or same < 2 or same < n / 2:
        return None
    what = "all zero" if scale == 0 else "the same incoming weights W[:, j] and bias b[j]"
    return Hint("symmetry", f"{name}: {same} of its {n} units are identical ({what}). With zero or constant initial "
                            "weights every unit gets the same gradient, so they stay copies of each other. Initialize W "
                            "randomly, e.g. init='he_normal' (ReLU) or 'glorot_uniform' (tanh, sigmoid).", name)


def _input_scale(X: np.ndarray) -> list[Hint]:
    mean = X.mean(axis=0, dtype=np.float64)
    std = X.std(axis=0, dtype=np.float64)
    scale = np.maximum(std, np.abs(mean))
    large = np.flatnonzero(scale > LARGE_INPUT)
    fix = ("Standardize: X_train, mean, std = chainrule.datasets.standardize(X_train), then "
           "standardize(X_test, mean, std) for new data.")
    if large.size:
        j = int(large[np.argmax(scale[large])])
        return [Hint("input_scale", f"inputs far from unit scale: {large.size} of {X.shape[1]} features "
                                    f"{'has' if large.size == 1 else 'have'} std or "
                                    f"|mean| above {LARGE_INPUT:g} (feature {j}: mean {mean[j]:.3g}, std {std[j]:.3g}). "
                                    f"Large inputs saturate units and force a tiny lr. {fix}")]
    varying = scale[std > 0]
    if varying.size and float(np.median(varying)) < SMALL_INPUT:
        return [Hint("input_scale", f"inputs far from unit scale: the typical feature has std or |mean| of only "
                                    f"{float(np.median(varying)):.2g}, so the first layer sees almost nothing. {fix}")]
    return []


# -- a History ------------------------------------------------------------------------------------------
def history_hints(history: Any, lr: Union[float, None] = None) -> list[Hint]:
    """Cost hints on ``history["loss"]`` (per epoch), plus overfitting from the validation keys."""
    h: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    hints = cost_hints(h.get("loss", []), lr, unit="epochs")
    gap = _overfitting(h)
    return hints + ([gap] if gap else [])


def _overfitting(h: Mapping[str, Sequence[float]]) -> Union[Hint, None]:
    fix = ("Try more data, L2 (Dense(..., l2=1e-3)), dropout, a smaller model, or "
           "EarlyStopping(monitor='val_loss').")
    if h.get("accuracy") and h.get("val_accuracy"):
        train, val = float(np.mean(h["accuracy"][-3:])), float(np.mean(h["val_accuracy"][-3:]))
        if train - val > GAP:
            return Hint("overfitting", f"train accuracy {train:.3f} but validation accuracy {val:.3f} (gap "
                                       f"{train - val:.3f}, over {GAP}): the model memorizes the training set. {fix}")
    loss, val_loss = np.asarray(h.get("loss", []), float), np.asarray(h.get("val_loss", []), float)
    if val_loss.size >= 10 and loss.size == val_loss.size and np.isfinite(val_loss).all():
        best = int(val_loss.argmin())
        end, train = float(val_loss[-3:].mean()), float(loss[-3:].mean())
        if end >= 2 * val_loss[best] and end >= 2 * train and train < loss[best]:
            return Hint("overfitting", f"val_loss rose from {val_loss[best]:.4g} (epoch {best + 1}) to {end:.4g} while "
                                       f"the training loss fell to {train:.4g}: the model fits the training set's "
                                       f"noise. {fix}")
    return None


# -- everything ----------------------------------------------------------------------------------------
def training_hints(history: Any = None, layers: Any = None, X: Any = None, *,
                   costs: Union[Sequence[Any], None] = None, lr: Union[float, None] = None) -> list[Hint]:
    """All hints: from a History (or, instead, a plain list of ``costs``), and from the layers (a list or a
    ``Sequential``) with inputs X. Anything not given is skipped.

    A flat cost is left out when the layers explain it (symmetry, dead_units, saturated): then a
    larger lr is the wrong advice.
    """
    hints = history_hints(history, lr) if history is not None else cost_hints(costs, lr) if costs is not None else []
    found = model_hints(layers, X) if layers is not None else []
    if any(h.code in ("symmetry", "dead_units", "saturated") for h in found):
        hints = [h for h in hints if h.code != "flat"]
    return hints + found


def print_hints(hints: Sequence[Hint], stream: Union[TextIO, None] = None) -> None:
    """One line per hint, ``hint: ...``, to ``stream`` (default stdout)."""
    for hint in hints:
        print(hint, file=stream if stream is not None else sys.stdout, flush=True)
