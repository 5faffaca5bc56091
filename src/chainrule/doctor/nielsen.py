"""Specs for Nielsen's ``Network`` (seed 002): feedforward, cost_derivative, backprop, update_mini_batch, evaluate.

The learner's class is instantiated fresh for every probe with the same weights as
``chainrule.classic.nielsen.Network`` (column vectors, ``weights[l]`` (n_out, n_in)), so both
compute from the same point. A learner class whose default cost is network2's
``CrossEntropyCost`` is judged against that cost.
"""

from __future__ import annotations

import copy
import inspect
import sys
from typing import Any, Callable

import numpy as np

from ..activations import Sigmoid
from ..classic import deep as course_deep
from ..classic import nielsen as reference
from . import probes as P
from . import trace
from .locate import exception_finding, filename_of, finding, return_line
from .reference import check
from .spec import Context, Mutant, Probe, Spec, StructureError
from .report import Finding

METHODS = ["feedforward", "cost_derivative", "backprop", "update_mini_batch", "evaluate"]
SIZES = [("sizes [3, 4, 2]", [3, 4, 2], True), ("sizes [4, 5, 3, 2]: three layers", [4, 5, 3, 2], False)]
FIXES = {
    "a": "for b, w in zip(self.biases, self.weights): a = sigmoid(np.dot(w, a) + b)",
    "cost_derivative": "return output_activations - y",
    "nabla_b": "delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1]); nabla_b[-1] = delta; "
               "then for l = 2 ... : delta = np.dot(self.weights[-l+1].transpose(), delta) * sigmoid_prime(zs[-l])",
    "delta": "delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])   # σ'(z), not σ'(a)",
    "nabla_w": "nabla_w[-l] = np.dot(delta, activations[-l-1].transpose())   # (n_out, n_in)",
    "weights": "self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]",
    "biases": "self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]",
    "correct": "test_results = [(np.argmax(self.feedforward(x)), y) for (x, y) in test_data]; "
               "return sum(int(x == y) for (x, y) in test_results)",
}


def _cost_class(cls: type) -> type:
    try:
        default = inspect.signature(cls.__init__).parameters.get("cost")
    except (TypeError, ValueError):
        default = None
    name = getattr(getattr(default, "default", None), "__name__", "")
    return reference.CrossEntropyCost if name == "CrossEntropyCost" else reference.QuadraticCost


def _weights(sizes: list[int], seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    params = P.parameters(sizes, seed, scale=1.0)
    L = len(sizes) - 1
    return [params[f"W{l}"] for l in range(1, L + 1)], [params[f"b{l}"] * 5 for l in range(1, L + 1)]


def _pairs(sizes: list[int], count: int, seed: int, labels: bool = False) -> list[tuple]:
    random = P.rng(seed)
    pairs = []
    for i in range(count):
        x = random.rand(sizes[0], 1)
        k = i % sizes[-1]
        y = k if labels else np.eye(sizes[-1])[:, [k]]
        pairs.append((x, y))
    return pairs


def _method(ctx: Context, cls: type, sizes: list[int], weights: list, biases: list, name: str,
            returns_step: bool = False) -> Callable:
    """A function that builds a fresh learner network with these weights and calls its method.

    Methods the doctor already found wrong are replaced on the instance by chainrule's (computed
    from the instance's current weights), so each mistake is reported once, where it is.
    """
    method = getattr(cls, name)

    def call(*args: Any) -> Any:
        net = cls(list(sizes))
        net.weights = [w.copy() for w in weights]
        net.biases = [b.copy() for b in biases]
        for wrong in ctx.wrong:
            if wrong.startswith("Network.") and wrong != f"Network.{name}":
                _replace(net, cls, sizes, wrong.split(".", 1)[1])
        result = getattr(net, name)(*args)
        if returns_step:
            return ([w - w0 for w, w0 in zip(net.weights, weights)], [b - b0 for b, b0 in zip(net.biases, biases)])
        return result

    call.__doctor_code__ = getattr(method, "__code__", None)
    call.__name__ = name
    return call


def _replace(net: Any, cls: type, sizes: list[int], method: str) -> None:
    def right(*args: Any) -> Any:
        return getattr(_reference(cls, sizes, net.weights, net.biases), method)(*args)
    setattr(net, method, right)


def _reference(cls: type, sizes: list[int], weights: list, biases: list) -> reference.Network:
    net = reference.Network(sizes, cost=_cost_class(cls), seed=0)
    net.weights, net.biases = [w.copy() for w in weights], [b.copy() for b in biases]
    return net


def _delta_at_a(cls: type, sizes: list[int], weights: list, biases: list, x: np.ndarray, y: np.ndarray) -> Mutant:
    """The output delta with σ' taken at the activation a instead of z, and the last layer's gradient it gives."""
    net = _reference(cls, sizes, weights, biases)
    a = net.feedforward(x)
    unit = Sigmoid()
    unit.forward(a.T)
    delta = unit.backward(net.cost_derivative(a, y).T).T
    a_prev = _reference(cls, sizes[:-1], weights[:-1], biases[:-1]).feedforward(x) if len(sizes) > 2 else x
    _, nabla_w, nabla_b = course_deep.linear_backward(delta, (a_prev, weights[-1], biases[-1]))
    L = len(sizes) - 2
    return Mutant("activation_derivative", {f"nabla_w[{L}]": nabla_w, f"nabla_b[{L}]": nabla_b, "delta": delta},
                  "is computed with sigmoid_prime(activations[-1]): the derivative taken at the output a "
                  "instead of at z (σ'(a) ≠ σ'(z))", FIXES["delta"])


def _decay_sign(cls, sizes, weights, biases, batch, eta, extra, expected) -> Mutant:
    """network2's weight decay with the wrong sign: (1 + eta·lmbda/n)·w instead of (1 - eta·lmbda/n)·w."""
    plain = _reference(cls, sizes, weights, biases)
    plain.update_mini_batch(copy.deepcopy(batch), eta)
    outputs = {}
    for i in range(len(sizes) - 1):
        no_decay = plain.weights[i] - weights[i]
        decay = expected[f"weights[{i}]"] - no_decay
        outputs[f"weights[{i}]"] = no_decay - decay
    return Mutant("sign", outputs, "has its weight decay with the wrong sign: (1 + eta·lmbda/n)·w makes the weights "
                  "grow; L2 shrinks them", "self.weights = [(1 - eta * (lmbda / n)) * w - (eta / len(mini_batch)) * nw "
                  "for w, nw in zip(self.weights, nabla_w)]")


def _activations(cls: type, sizes: list[int], weights: list, biases: list, x: np.ndarray) -> list[np.ndarray]:
    """[x, a¹, ..., aᴸ] by the engine: each a prefix network's feedforward."""
    return [x] + [_reference(cls, sizes[:k + 2], weights[:k + 1], biases[:k + 1]).feedforward(x)
                  for k in range(len(sizes) - 1)]


def _layer_intermediates(cls, sizes, weights, biases, x, nabla_b) -> tuple[dict, dict]:
    """delta, z and sp of layer i, each allowed to explain only nabla_w[i] and nabla_b[i] (a loop rebinds them)."""
    acts = _activations(cls, sizes, weights, biases, x)
    values, scope = {}, {}
    for i in range(len(sizes) - 1):
        z, _ = course_deep.linear_forward(acts[i], weights[i], biases[i])
        unit = Sigmoid()
        unit.forward(z.T)
        sp = unit.backward(np.ones_like(z).T).T
        outputs = (f"nabla_w[{i}]", f"nabla_b[{i}]")
        for name, value in (("delta", nabla_b[i]), ("z", z), ("sp", sp)):
            values[f"{name}@{i}"] = value
            scope[f"{name}@{i}"] = outputs
    return values, scope


def _hidden_at_a(cls, sizes, weights, biases, x, nabla_b) -> Mutant:
    """The last hidden layer's delta with σ' taken at its activation instead of its z."""
    acts = _activations(cls, sizes, weights, biases, x)
    i = len(sizes) - 3
    upstream, _, _ = course_deep.linear_backward(nabla_b[i + 1], (acts[i + 1], weights[i + 1], biases[i + 1]))
    unit = Sigmoid()
    unit.forward(acts[i + 1].T)
    delta = unit.backward(upstream.T).T
    _, nabla_w, nabla_b_wrong = course_deep.linear_backward(delta, (acts[i], weights[i], biases[i]))
    return Mutant("activation_derivative", {f"nabla_w[{i}]": nabla_w, f"nabla_b[{i}]": nabla_b_wrong},
                  "is computed with sigmoid_prime(activations[-l]): the derivative taken at the activation a "
                  "instead of at z (σ'(a) ≠ σ'(z))", "sp = sigmoid_prime(zs[-l])   # z, not the activation")


def _list_outputs(prefix: str, values: Any, count: int) -> dict[str, Any]:
    if not isinstance(values, (list, tuple)) or len(values) != count:
        raise StructureError(f"{prefix} is {type(values).__name__} of length {len(values) if hasattr(values, '__len__') else '?'}; "
                             f"expected a list of {count} arrays, one per layer")
    return {f"{prefix}[{i}]": values[i] for i in range(count)}


def _backprop_outputs(result: Any, probe: Probe) -> dict[str, Any]:
    if not isinstance(result, tuple) or len(result) != 2:
        raise StructureError(f"returns {type(result).__name__}; backprop returns (nabla_b, nabla_w)")
    count = len(probe.expected) // 2
    out = _list_outputs("nabla_b", result[0], count)
    out.update(_list_outputs("nabla_w", result[1], count))
    return out


def _state_outputs(result: Any, probe: Probe) -> dict[str, Any]:
    """The step each array took: new weights minus the old ones (a missing 1/len(mini_batch) shows as m)."""
    weights, biases = result
    count = len(probe.expected) // 2
    out = _list_outputs("weights", weights, count)
    out.update(_list_outputs("biases", biases, count))
    return out


def check_network(ctx: Context, cls: type) -> list[tuple[str, list[Finding]]]:
    """(label, findings) for every method of Nielsen's that the learner's class defines."""
    results = [("Network.__init__", _check_init(ctx, cls))]
    for name in METHODS:
        if name not in vars(cls) or not callable(vars(cls)[name]):
            continue
        label = f"Network.{name}"
        findings: list[Finding] = []
        for case, (size_label, sizes, standard) in enumerate(SIZES):
            weights, biases = _weights(sizes, 200 + case)
            ref = _reference(cls, sizes, weights, biases)
            spec, func = _spec(ctx, name, cls, sizes, weights, biases, ref, size_label, standard)
            findings = check(ctx, spec, func, label)
            if findings:
                ctx.wrong.add(label)
                break
        results.append((label, findings))
    if callable(vars(cls).get("SGD")):
        results.append(("Network.SGD", _check_sgd(ctx, cls)))
    return results


ACCEPTED_STD = {"randn (network.py)": lambda n_in: 1.0, "randn / sqrt(n_in) (network2.py)": lambda n_in: n_in ** -0.5,
                "randn * sqrt(2 / n_in)": lambda n_in: (2 / n_in) ** 0.5, "randn * 0.01": lambda n_in: 0.01}


def _check_init(ctx: Context, cls: type) -> list[Finding]:
    """Shapes (n_out, n_in) and (n_out, 1), no identical hidden units, a usual weight scale."""
    label, sizes = "Network.__init__", [30, 40, 3]
    init = vars(cls).get("__init__")
    recorder = trace.Recorder(filename_of(ctx, init)) if init is not None else None
    net, error = ctx.call(cls, (list(sizes),), recorder=recorder)
    if error is not None:
        return [exception_finding(ctx, label, init, error, Probe(f"Network({sizes})", (sizes,), {}))]
    weights, biases = getattr(net, "weights", None), getattr(net, "biases", None)
    if not isinstance(weights, list) or not isinstance(biases, list) or len(weights) != len(sizes) - 1:
        return [finding(ctx, label, init, "signature", "weights", f"Network({sizes}) has no list of "
                         f"{len(sizes) - 1} weight matrices in self.weights (and biases in self.biases).", None)]
    line = next((e.line for e in reversed(recorder.events) if e.name == "self.weights"), None)
    for l, (W, b) in enumerate(zip(weights, biases)):
        n_in, n_out = sizes[l], sizes[l + 1]
        W, b = np.asarray(W), np.asarray(b)
        if W.shape != (n_out, n_in):
            kind = "transposed" if W.shape == (n_in, n_out) else "shape"
            return [finding(ctx, label, init, kind, f"weights[{l}]", f"weights[{l}] has shape {W.shape}; Nielsen's "
                             f"is (n_out, n_in) = {(n_out, n_in)} so that np.dot(w, a) works on a column a.", line,
                             "self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]")]
        if b.shape != (n_out, 1):
            bline = next((e.line for e in reversed(recorder.events) if e.name == "self.biases"), line)
            return [finding(ctx, label, init, "shape", f"biases[{l}]", f"biases[{l}] has shape {b.shape}; "
                             f"Nielsen's is (n_out, 1) = {(n_out, 1)}.", bline,
                             "self.biases = [np.random.randn(y, 1) for y in sizes[1:]]")]
        if W.size > 1 and np.all(W == W.flat[0]):
            return [finding(ctx, label, init, "symmetry", f"weights[{l}]", f"every entry of weights[{l}] is "
                             f"{W.flat[0]:g}: all {n_out} neurons of that layer compute the same thing and get the "
                             "same gradient, so they stay identical forever (symmetry is never broken).", line,
                             "self.weights = [np.random.randn(y, x) / np.sqrt(x) for x, y in zip(sizes[:-1], sizes[1:])]")]
        std = float(W.std())
        if W.size >= 100 and not any(abs(std / f(n_in) - 1) < 0.25 for f in ACCEPTED_STD.values()):
            return [finding(ctx, label, init, "scale", f"weights[{l}]", f"weights[{l}] has standard deviation "
                             f"{std:.3g}; Nielsen draws randn (std 1) or randn / sqrt(n_in) (std {n_in ** -0.5:.3g}).",
                             line, "self.weights = [np.random.randn(y, x) / np.sqrt(x) for x, y in zip(sizes[:-1], sizes[1:])]")]
    return []


def _check_sgd(ctx: Context, cls: type) -> list[Finding]:
    """SGD must pass eta and mini-batches of mini_batch_size to update_mini_batch, every epoch, every example."""
    label, sizes = "Network.SGD", [3, 4, 2]
    sgd = vars(cls)["SGD"]
    data = _pairs(sizes, 10, 303)
    epochs, size, eta = 2, 3, 0.5
    calls: list[tuple[int, Any, int]] = []

    def build_and_train(*args: Any) -> Any:
        net = cls(list(sizes))

        def record(mini_batch: Any, *rest: Any, **named: Any) -> None:
            used_eta = rest[0] if rest else named.get("eta", next(iter(named.values()), None))
            calls.append((len(list(mini_batch)), used_eta, sys._getframe(1).f_lineno))
        net.update_mini_batch = record
        return net.SGD(*args)

    build_and_train.__doctor_code__ = sgd.__code__
    probe = Probe(f"{epochs} epochs of 10 examples, mini_batch_size = {size}, eta = {eta}",
                  (list(data), epochs, size, eta), {})
    _, error = ctx.call(build_and_train, probe.args)
    if error is not None:
        return [exception_finding(ctx, label, build_and_train, error, probe)]
    wrong_eta = [(used, line) for _, used, line in calls if not np.isclose(float(np.asarray(used)), eta)]
    if wrong_eta:
        used, line = wrong_eta[0]
        return [finding(ctx, label, sgd, "signature", "eta", f"calls update_mini_batch with eta = {used} although "
                         f"SGD was given eta = {eta} ({probe.label}): the learning rate argument is ignored.", line,
                         "self.update_mini_batch(mini_batch, eta)")]
    batches = [n for n, _, _ in calls]
    right = ([size] * (10 // size) + ([10 % size] if 10 % size else [])) * epochs
    if sorted(batches) != sorted(right):
        line = calls[0][2] if calls else return_line(ctx, sgd)
        return [finding(ctx, label, sgd, "signature", "mini_batch_size",
                         f"update_mini_batch got mini-batches of sizes {batches} ({probe.label}); expected "
                         f"{right}: every epoch splits all n examples into mini-batches of mini_batch_size.", line,
                         "mini_batches = [training_data[k:k + mini_batch_size] for k in range(0, n, mini_batch_size)]")]
    return []


def _spec(ctx: Context, name: str, cls: type, sizes: list[int], weights: list, biases: list, ref: reference.Network,
          label: str, standard: bool) -> tuple[Spec, Callable]:
    L = len(sizes) - 1
    x, y = _pairs(sizes, 1, 300)[0]
    if name == "feedforward":
        probes = [Probe(f"{label}, one input column", (x,), {"a": ref.feedforward(x)}, standard=standard)]
        spec = Spec(name, lambda ctx: probes, lambda r, p: {"a": r}, FIXES)
    elif name == "cost_derivative":
        a = ref.feedforward(x)
        probes = [Probe(label, (a, y), {"cost_derivative": ref.cost_derivative(a, y)}, standard=standard)]
        spec = Spec(name, lambda ctx: probes, lambda r, p: {"cost_derivative": r}, FIXES)
    elif name == "backprop":
        nabla_b, nabla_w = ref.backprop(x, y)
        expected = {}
        for i in reversed(range(L)):
            expected[f"nabla_w[{i}]"], expected[f"nabla_b[{i}]"] = nabla_w[i], nabla_b[i]
        intermediates, scope = _layer_intermediates(cls, sizes, weights, biases, x, nabla_b)
        mutants = [_delta_at_a(cls, sizes, weights, biases, x, y)]
        if L > 1:
            mutants.append(_hidden_at_a(cls, sizes, weights, biases, x, nabla_b))
        probes = [Probe(f"{label}, one example", (x, y), expected, standard=standard,
                        intermediates=intermediates, scope=scope, mutants=mutants)]
        spec = Spec(name, lambda ctx: probes, _backprop_outputs, {**{k: FIXES["nabla_w"] for k in expected if "w" in k},
                                                                   **{k: FIXES["nabla_b"] for k in expected if "b[" in k}})
    elif name == "update_mini_batch":
        batch = _pairs(sizes, 4, 301)
        eta = 3.0
        # network2's update_mini_batch(mini_batch, eta, lmbda, n): the L2 decay is probed too
        extra = () if len(inspect.signature(getattr(cls, name)).parameters) <= 3 else (5.0, 100)
        ref.update_mini_batch(copy.deepcopy(batch), eta, *extra)
        expected = {}
        for i in reversed(range(L)):
            expected[f"weights[{i}]"], expected[f"biases[{i}]"] = ref.weights[i] - weights[i], ref.biases[i] - biases[i]
        decay = f", lmbda = {extra[0]}, n = {extra[1]}" if extra else ""
        mutants = [_decay_sign(cls, sizes, weights, biases, batch, eta, extra, expected)] if extra else []
        summed = None if extra else {          # Σ over the mini-batch of each example's gradient
            "nabla_w": [-expected[f"weights[{i}]"] * len(batch) / eta for i in range(L)],
            "nabla_b": [-expected[f"biases[{i}]"] * len(batch) / eta for i in range(L)]}
        probes = [Probe(f"{label}, a mini-batch of 4, eta = {eta}{decay}", (batch, eta) + extra, expected, m=4,
                        mutants=mutants, intermediates=summed or {},
                        standard=standard)]
        spec = Spec(name, lambda ctx: probes, _state_outputs,
                    {**{k: FIXES["weights"] for k in expected if k.startswith("w")},
                     **{k: FIXES["biases"] for k in expected if k.startswith("b")}},
                    produced_by={k: "self." + k.split("[")[0] for k in expected})
        return spec, _method(ctx, cls, sizes, weights, biases, name, returns_step=True)
    else:
        data = _pairs(sizes, 20, 302, labels=True)
        probes = [Probe(f"{label}, 20 labelled examples", (data,), {"correct": ref.evaluate(data)}, standard=standard)]
        spec = Spec(name, lambda ctx: probes, lambda r, p: {"correct": r}, FIXES)
    return spec, _method(ctx, cls, sizes, weights, biases, name)
