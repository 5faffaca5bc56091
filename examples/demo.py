"""chainrule demo: a 2-layer network learns the course's planar "flower" (data generated in code).

    python examples/demo.py [--epochs 300] [--plot demo_cost.png]

Prints progress every 50 epochs and the final accuracy; writes the loss curve and the decision
boundary as PNG files when matplotlib is installed.
"""

import argparse
import sys

import numpy as np

import chainrule as cr


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--plot", default="demo_cost.png", help="loss-curve PNG ('' for none)")
    parser.add_argument("--boundary", default="demo_boundary.png", help="decision-boundary PNG ('' for none)")
    args = parser.parse_args(argv)

    X, y = cr.datasets.make_flower(n_samples=400, seed=1)           # X (400, 2), y (400,)
    X_train, y_train, X_test, y_test = cr.train_val_split(X, y, 0.25, rng=np.random.default_rng(0))
    model = cr.Sequential([cr.Dense(2, 8, init="glorot_uniform"), cr.Tanh(), cr.Dense(8, 1)], seed=0)
    print(model.summary())
    history = model.fit(X_train, y_train, loss=cr.BinaryCrossEntropy(from_logits=True), optimizer=cr.Adam(lr=0.01),
                        epochs=args.epochs, batch_size=32, validation_data=(X_test, y_test),
                        callbacks=[cr.ProgressLogger(every=50)])
    train, test = model.evaluate(X_train, y_train), model.evaluate(X_test, y_test)
    print(f"final: train accuracy {train['accuracy']:.3f}, test accuracy {test['accuracy']:.3f}, "
          f"test loss {test['loss']:.4f}")
    try:
        from chainrule import plotting
        if args.plot:
            plotting.plot_history(history, path=args.plot, title="flower, 2-8-1 tanh")
            print(f"wrote {args.plot}")
        if args.boundary:
            plotting.plot_decision_boundary(model.predict_labels, X, y, path=args.boundary,
                                            title=f"flower: test accuracy {test['accuracy']:.3f}")
            print(f"wrote {args.boundary}")
    except ImportError:
        print("matplotlib is not installed: skipping the plots (pip install 'chainrule[plot]')")
    return 0 if test["accuracy"] >= 0.85 else 1


if __name__ == "__main__":
    sys.exit(main())
