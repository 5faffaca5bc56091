"""Sweeps beyond one process (issue 15): GridSearchCV over chainrule's estimators on a Dask cluster."""

import os
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn", reason="the sweep runs chainrule.sklearn estimators: pip install 'chainrule[sklearn]'")
pytest.importorskip("distributed", reason="the Dask sweep needs the optional extra: pip install 'chainrule[dask]'")

import joblib                                                        # noqa: E402
from distributed import Client, LocalCluster, get_task_stream        # noqa: E402
from sklearn.base import clone                                       # noqa: E402
from sklearn.datasets import make_classification                     # noqa: E402
from sklearn.exceptions import ConvergenceWarning                    # noqa: E402
from sklearn.model_selection import GridSearchCV                     # noqa: E402

from chainrule.sklearn import MLPClassifier                          # noqa: E402


def test_a_grid_search_on_a_local_cluster_of_two_worker_processes_equals_the_serial_run():
    X, y = make_classification(n_samples=120, n_features=5, n_informative=3, n_classes=3, random_state=0)
    search = GridSearchCV(MLPClassifier(hidden_layer_sizes=(8,), max_iter=15, learning_rate_init=0.02, random_state=0),
                          {"alpha": [1e-4, 1e-1], "activation": ["relu", "tanh"]}, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        serial = clone(search).fit(X, y)
        with LocalCluster(n_workers=2, processes=True, host="127.0.0.1", threads_per_worker=1,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            pids = client.run(os.getpid)
            with get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
                spread = clone(search).fit(X, y)
    assert len(pids) == 2 and os.getpid() not in pids.values()      # two worker processes, not this one
    assert {task["worker"] for task in tasks.data} == set(pids)      # and both ran fits
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        np.testing.assert_array_equal(spread.cv_results_[key], serial.cv_results_[key])
    assert spread.cv_results_["params"] == serial.cv_results_["params"]
    assert spread.best_params_ == serial.best_params_
    np.testing.assert_array_equal(spread.predict_proba(X), serial.predict_proba(X))
