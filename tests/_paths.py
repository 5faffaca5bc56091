"""Where the tests find data: the repo's copies, and ../shared beside the repo (optional)."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COURSERA = REPO / "data" / "coursera"
SHARED_DATA = REPO.parent / "shared" / "data"
MNIST_PKL = SHARED_DATA / "mnist.pkl.gz"
