"""The playground: a local web page that trains a chainrule network and shows backprop at work.

``chainrule playground`` (or ``python -m chainrule playground``) starts ``server.serve``; the page
drives a ``session.Session``, which trains with ``Sequential.fit`` and reports the decision
boundary, the loss curves, per-layer gradient norms, stuck units and the training hints.
"""

from .server import PlaygroundServer, serve
from .session import LIMITS, Session, Settings

__all__ = ["LIMITS", "PlaygroundServer", "Session", "Settings", "serve"]
