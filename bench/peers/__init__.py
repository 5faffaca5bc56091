"""Every implementation the bench times, each a ``measurement.Session``, and which are installed.

One module per implementation: ``chainrule_fit`` (chainrule's ``fit`` on the NumPy plan and compiled), ``loops`` (Nielsen's
per-example loop and the hand-written NumPy loop), ``torch_eager``, ``jax_jit`` (jit per step and jit + ``lax.scan`` per epoch), ``sklearn_mlp`` and
``gemm_floor`` (the matrix products alone). They import ``configs`` and ``measurement``; the
runner imports them, never the other way.
"""

from __future__ import annotations

from .chainrule_fit import ChainruleSession, CompiledSession
from .gemm_floor import FloorSession
from .jax_jit import JaxScanSession, JaxStepSession
from .loops import NielsenSession, NumpyLoopSession
from .sklearn_mlp import SklearnSession
from .torch_eager import TorchSession

SESSIONS = {"chainrule": ChainruleSession, "chainrule-compiled": CompiledSession, "nielsen-loop": NielsenSession,
            "numpy-loop": NumpyLoopSession, "torch": TorchSession, "jax-step": JaxStepSession,
            "jax-scan": JaxScanSession, "sklearn": SklearnSession, "gemm-floor": FloorSession}
#: a Config's ``peers`` entries -> the implementation names of the table
PEER_KEYS = {"compiled": "chainrule-compiled", "nielsen": "nielsen-loop", "numpy": "numpy-loop", "torch": "torch",
             "jax-step": "jax-step", "jax-scan": "jax-scan", "sklearn": "sklearn", "floor": "gemm-floor"}


def available(impl: str) -> tuple[bool, str]:
    """(importable, why not) for the implementations that need an optional package."""
    mod = {"torch": "torch", "sklearn": "sklearn", "jax-step": "jax", "jax-scan": "jax",
           "chainrule-compiled": "numba"}.get(impl)
    if mod is None:
        return True, ""
    try:
        __import__(mod)
        return True, ""
    except Exception as exc:
        return False, f"{mod} not importable ({type(exc).__name__})"
