"""chainrule: dense neural networks in vectorized NumPy, with backpropagation written by hand.

The public API, re-exported from the modules that define it::

    from chainrule import Sequential, Dense, ReLU, SoftmaxCrossEntropy, Adam
"""

from . import datasets, hints, initializers, metrics, preprocessing, registry, schedules
from .builders import mlp
from .activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .callbacks import (Callback, EarlyStopping, History, LearningRateScheduler, ProgressLogger,
                        ReduceLROnPlateau)
from .data import minibatches, one_hot, train_val_split
from .gradcheck import GradcheckReport, check_gradients, numerical_gradient, relative_error
from .layers import Dense, Dropout, Layer
from .losses import BinaryCrossEntropy, Huber, Loss, MeanAbsoluteError, MeanSquaredError, SoftmaxCrossEntropy
from .model import Sequential
from .normalization import BatchNorm
from .optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop
from .preprocessing import Standardize
from ._version import __version__
from .io import load, save


__all__ = [
    "Sequential", "mlp", "Layer", "Dense", "Dropout", "BatchNorm",
    "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Identity", "Softmax",
    "Loss", "MeanSquaredError", "BinaryCrossEntropy", "SoftmaxCrossEntropy", "MeanAbsoluteError", "Huber",
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
    "minibatches", "one_hot", "train_val_split", "Standardize",
    "Callback", "History", "EarlyStopping", "ProgressLogger", "LearningRateScheduler", "ReduceLROnPlateau",
    "check_gradients", "numerical_gradient", "relative_error", "GradcheckReport",
    "datasets", "hints", "initializers", "metrics", "preprocessing", "registry", "schedules", "save", "load", "__version__",
]
