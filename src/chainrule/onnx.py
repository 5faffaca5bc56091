"""ONNX export of a ``Sequential`` (extra ``onnx``): ``export(model, path)``, ``to_onnx(model)``.

Each layer becomes the standard ONNX operator that computes its inference-mode ``forward``; rows
stay rows, so ``W`` (n_in, n_out) goes into ``Gemm`` untransposed::

    Dense(W, b)              Gemm(A, W, b)                  Z = A·W + b   (transA = transB = 0)
    ReLU, Sigmoid, Tanh      Relu, Sigmoid, Tanh
    LeakyReLU(alpha)         LeakyRelu(alpha)               float64: Max(Z, Mul(Z, alpha)), as onnxruntime has no double LeakyRelu
    Softmax                  Softmax(axis=-1)
    BatchNorm                BatchNormalization             inference form: γ·(A - running_mean)/√(running_var + eps) + β
    Identity, Dropout        (no node)                      the identity at inference

The graph has one input ``X`` (batch, n_features) and the output ``Y`` (batch, n_outputs), what
``model.predict`` returns; ``batch`` is a dynamic dimension. When the model was trained with a
from-logits loss, a second output ``probabilities`` is what ``model.predict_proba`` returns:
``Softmax`` of Y for ``SoftmaxCrossEntropy``, ``Sigmoid`` of Y for ``BinaryCrossEntropy(from_logits=True)``.
Any other layer type, a subclass included (its ``forward`` may differ), raises ``ValueError``
naming the layer.

The graph uses opset 13 with IR version 7, which onnxruntime reads from version 1.7 on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Union

import numpy as np

from . import _checks, registry
from ._files import atomic_write
from ._version import __version__

OPSET = 13
IR_VERSION = 7
#: built-in layer (by its registry name) -> the ONNX operator of its inference forward (None: no node)
OPERATORS = {"Dense": "Gemm", "ReLU": "Relu", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "LeakyReLU": "LeakyRelu",
             "Softmax": "Softmax", "BatchNorm": "BatchNormalization", "Identity": None, "Dropout": None}


def is_builtin(cls: type) -> bool:
    """Whether ``cls`` is exactly one of the exportable built-in layers (a subclass is not)."""
    return cls.__name__ in OPERATORS and registry.lookup("layer", cls.__name__) is cls


def _onnx() -> Any:
    try:
        import onnx
    except ImportError as exc:
        raise ImportError(f"chainrule.onnx needs the onnx package: pip install 'chainrule[onnx]' ({exc}).") from exc
    return onnx


def check_exportable(model: Any) -> None:
    """Raise ``ValueError`` naming the first layer that has no ONNX export."""
    names = ", ".join(OPERATORS)
    for i, layer in enumerate(model.layers, start=1):
        if not is_builtin(type(layer)):
            subclass = any(is_builtin(cls) for cls in type(layer).__mro__[1:])
            kind = " (a subclass: its forward may differ from the built-in's)" if subclass else ""
            raise ValueError(f"chainrule.onnx.export: layer {i} ({type(layer).__name__}){kind} has no ONNX export. "
                             f"The exportable layers are {names}; replace or remove layer {i}.")


def to_onnx(model: Any, dtype: Any = np.float32) -> Any:
    """The ``onnx.ModelProto`` of ``model`` in ``dtype`` (float32 by default, or float64), checked."""
    onnx = _onnx()
    from onnx import TensorProto, helper, numpy_helper

    check_exportable(model)
    step = getattr(model, "preprocessing", None)
    if step is not None and (type(step).__name__ != "Standardize" or not step.fitted):
        raise ValueError(f"chainrule.onnx.export: the model's preprocessing {step!r} has no ONNX export (a fitted "
                         "Standardize does); export a model without it, or fit it first.")
    dtype = _checks.as_float_dtype(dtype, "chainrule.onnx.export")
    elem = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
    nodes, initializers = [], []
    current = "X"

    def constant(name: str, array: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(array, dtype=dtype), name))
        return name

    step = getattr(model, "preprocessing", None)
    if step is not None:                        # the saved Standardize: (X - mean) / scale, as predict applies it
        nodes.append(helper.make_node("Sub", [current, constant("standardize.mean", step.mean)], ["centered"],
                                      name="standardize_sub"))
        nodes.append(helper.make_node("Div", ["centered", constant("standardize.scale", step.scale)],
                                      ["standardized"], name="standardize_div"))
        current = "standardized"

    for i, layer in enumerate(model.layers, start=1):
        op = OPERATORS[type(layer).__name__]
        if op is None:
            continue
        name = f"layer{i}_{type(layer).__name__}"
        out = f"{name}_out"
        attributes: dict[str, Any] = {}
        if op == "Gemm":
            inputs = [current, constant(f"{name}.W", layer.W), constant(f"{name}.b", layer.b)]
        elif op == "BatchNormalization":
            inputs = [current] + [constant(f"{name}.{key}", value) for key, value in (
                ("gamma", layer.gamma), ("beta", layer.beta), ("running_mean", layer.running_mean),
                ("running_var", layer.running_var))]
            attributes["epsilon"] = float(layer.eps)
        elif op == "LeakyRelu" and dtype == np.float64:
            # NOTE: onnxruntime has no float64 LeakyRelu kernel; max(Z, α·Z) is the same number for α < 1.
            scaled = f"{name}_scaled"
            nodes.append(helper.make_node("Mul", [current, constant(f"{name}.alpha", np.array(layer.alpha))],
                                          [scaled], name=scaled))
            op, inputs = "Max", [current, scaled]
        else:
            inputs = [current]
            if op == "LeakyRelu":
                attributes["alpha"] = float(layer.alpha)
            elif op == "Softmax":
                attributes["axis"] = -1
        nodes.append(helper.make_node(op, inputs, [out], name=name, **attributes))
        current = out
    nodes.append(helper.make_node("Identity", [current], ["Y"], name="output"))
    outputs = [helper.make_tensor_value_info("Y", elem, ["batch", model.n_outputs])]
    to_probabilities = probability_op(getattr(model, "loss", None))
    if to_probabilities is not None:
        attributes = {"axis": -1} if to_probabilities == "Softmax" else {}
        nodes.append(helper.make_node(to_probabilities, ["Y"], ["probabilities"], name="probabilities", **attributes))
        outputs.append(helper.make_tensor_value_info("probabilities", elem, ["batch", model.n_outputs]))
    graph = helper.make_graph(nodes, "chainrule_sequential",
                              [helper.make_tensor_value_info("X", elem, ["batch", model.n_features])],
                              outputs, initializer=initializers)
    proto = helper.make_model(graph, producer_name="chainrule", producer_version=__version__,
                              opset_imports=[helper.make_opsetid("", OPSET)])
    proto.ir_version = IR_VERSION
    proto.doc_string = model.summary()
    onnx.checker.check_model(proto)
    return proto


def probability_op(loss: Any) -> Union[str, None]:
    """The operator that turns the outputs into probabilities, as ``predict_proba`` does, or None."""
    if loss is None:
        return None
    if loss.link == "softmax":
        return "Softmax"
    if loss.link == "sigmoid" and getattr(loss, "from_logits", False):
        return "Sigmoid"
    return None


def export(model: Any, path: Union[str, Path], dtype: Any = np.float32) -> Path:
    """Write ``model`` as an ONNX file (atomically) and return its path.

    Parameters
    ----------
    model : Sequential
        Built-in layers only (see the module docstring); any training state is left out.
    path : where to write, e.g. ``"model.onnx"``
    dtype : float32 (default; what ONNX runtimes run fastest) or float64

    Returns
    -------
    Path
        Inputs: ``X`` (batch, n_features). Outputs: ``Y`` (as ``model.predict``) and, for a
        from-logits loss, ``probabilities`` (as ``model.predict_proba``).
    """
    proto = to_onnx(model, dtype)
    return atomic_write(path, lambda file: file.write(proto.SerializeToString()))
