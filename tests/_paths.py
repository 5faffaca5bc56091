"""Where the tests find data: the repo's copies, and MNIST in $CHAINRULE_DATA or ../shared/data beside the repo.

``CHAINRULE_DATA`` is the directory ``chainrule.datasets.load_mnist`` searches (it may also name the
``mnist.pkl.gz`` file itself); the tests that need MNIST look there first, then beside the repository.
"""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COURSERA = REPO / "data" / "coursera"


def _mnist_pickle():
    env = os.environ.get("CHAINRULE_DATA")
    if env:
        given = Path(env).expanduser()
        candidate = given if given.name.endswith((".pkl.gz", ".pkl")) else given / "mnist.pkl.gz"
        if candidate.is_file():
            return candidate
    return REPO.parent / "shared" / "data" / "mnist.pkl.gz"


MNIST_PKL = _mnist_pickle()
#: the directory holding MNIST_PKL: what CHAINRULE_DATA should be for a child process
MNIST_DIR = MNIST_PKL.parent
