"""Wrote the files beside it with chainrule at commit 52d4859, before ``to_document`` moved from
``model.py`` to ``io.py`` (issue 12). Kept to show how they were made; tests never run it.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python tests/data/format_v1/write.py

Each file holds a trained model (every layer type, loss and optimizer appears in one of them);
``predictions.npz`` holds each model's ``predict(X)`` on ``X = default_rng(0).normal(size=(7, 3))``.
"""

from pathlib import Path

import numpy as np

from chainrule import (SGD, Adagrad, Adam, AdamW, BatchNorm, BinaryCrossEntropy, Dense, Dropout, Huber, Identity,
                       LeakyReLU, MeanAbsoluteError, MeanSquaredError, ReLU, RMSprop, Sequential, Sigmoid, Softmax,
                       SoftmaxCrossEntropy, Tanh)

HERE = Path(__file__).resolve().parent


def models():
    every = Sequential([Dense(3, 6, l2=0.01), BatchNorm(6, momentum=0.8), LeakyReLU(alpha=0.2), Dropout(0.25),
                        Dense(6, 5), Tanh(), Dense(5, 5), ReLU(), Dense(5, 4), Sigmoid(), Dense(4, 4), Identity(),
                        Dense(4, 3)], seed=3)
    return {
        "every_layer_ce_adamw": (every, SoftmaxCrossEntropy(), AdamW(lr=0.01, weight_decay=0.05)),
        "softmax_mse_sgd_f32": (Sequential([Dense(3, 4), Tanh(), Dense(4, 3), Softmax()], dtype=np.float32, seed=4),
                                MeanSquaredError(half=False), SGD(lr=0.1, momentum=0.9, nesterov=True)),
        "mae_rmsprop": (Sequential([Dense(3, 4), ReLU(), Dense(4, 3)], seed=5), MeanAbsoluteError(),
                        RMSprop(lr=0.01, rho=0.8)),
        "huber_adagrad": (Sequential([Dense(3, 3), Sigmoid(), Dense(3, 3)], seed=6), Huber(delta=0.5),
                          Adagrad(lr=0.05, clip_norm=1.0)),
        "bce_logits_adam": (Sequential([Dense(3, 4), Tanh(), Dense(4, 1)], seed=7),
                            BinaryCrossEntropy(from_logits=True), Adam(lr=0.02, beta1=0.8)),
    }


def main():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.5)
    targets = {"every_layer_ce_adamw": y, "bce_logits_adam": (y > 0).astype(np.float64)[:, None]}
    X_probe = np.random.default_rng(0).normal(size=(7, 3))
    predictions = {}
    for name, (model, loss, optimizer) in models().items():
        Y = targets.get(name, np.eye(3)[y])
        model.fit(X, Y, loss, optimizer, epochs=3, batch_size=16, validation_data=(X[:12], Y[:12]))
        model.meta = {"written_by": "tests/data/format_v1/write.py", "batch_size": 16}
        model.save(HERE / f"{name}.npz")
        predictions[name] = model.predict(X_probe)
    np.savez(HERE / "predictions.npz", **predictions)


if __name__ == "__main__":
    main()
