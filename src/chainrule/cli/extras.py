"""Commands over the optional extras, imported only when run: ``playground`` (a web page) and ``export`` (ONNX)."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from .common import CommandError
from .inputs import load_model


# -- playground ----------------------------------------------------------------------------------
def cmd_playground(args: argparse.Namespace) -> None:
    """Serve the playground page until Ctrl-C (a busy port is an OSError: exit 1 with its message)."""
    from ..playground import serve
    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port must be in [0, 65535], got {args.port}.")
    try:
        serve(args.host, args.port, open_browser=not args.no_browser)
    except OSError as error:
        raise CommandError(f"cannot serve on {args.host}:{args.port} ({error.strerror or error}); "
                           "pass another --port, or --port 0 for a free one.") from None


def add_playground_command(add: Any) -> None:
    p = add("playground", "a local web page that trains a network live: boundary, losses, gradients, hints",
            "chainrule playground --port 8000")
    p.add_argument("--host", default="127.0.0.1", help="address to bind; 127.0.0.1 is this machine only")
    p.add_argument("--port", type=int, default=8000, help="port; 0 picks a free one")
    p.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")
    p.set_defaults(run=cmd_playground)


# -- export (issue 15) ---------------------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> None:
    """Write a saved model as an ONNX graph (needs the onnx extra)."""
    from .. import onnx as onnx_export
    model = load_model(args.model)
    path = onnx_export.export(model, args.onnx, dtype=np.float64 if args.float64 else np.float32)
    outputs = "Y" + (", probabilities" if onnx_export.probability_op(model.loss) else "")
    print(f"wrote {path}: input X (batch, {model.n_features}), outputs {outputs} (batch, {model.n_outputs}), "
          f"{'float64' if args.float64 else 'float32'}")


def add_export_command(add: Any) -> None:
    p = add("export", "export a saved model to ONNX (needs: pip install 'chainrule[onnx]')",
            "chainrule export moons.npz --onnx moons.onnx")
    p.add_argument("model")
    p.add_argument("--onnx", required=True, help="path of the .onnx file to write")
    p.add_argument("--float64", action="store_true", help="export in float64 (default: float32)")
    p.set_defaults(run=cmd_export)
