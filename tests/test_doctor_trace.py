"""The line tracer: which line gave a value, and the earliest wrong intermediate behind it."""

import ast
import inspect
import textwrap

import numpy as np

from chainrule.doctor import trace


def learner(X, W):
    Z = W @ X
    A = np.tanh(Z)
    A = A * 2            # a value in the making: A is read and written
    grads = {}
    grads["dW"] = A @ X.T
    return grads


def lines():
    source, start = inspect.getsourcelines(learner)
    return {text.strip(): start + i for i, text in enumerate(source)}


def run():
    recorder = trace.Recorder(learner.__code__.co_filename)
    result, error = recorder.run(learner, np.ones((3, 4)), np.ones((2, 3)))
    assert error is None
    return recorder, result


def test_events_name_the_line_that_bound_each_value():
    recorder, result = run()
    at = lines()
    event = trace.producer(recorder.events, result["dW"], "learner")
    assert event.line == at['grads["dW"] = A @ X.T']
    names = {(e.name, e.line) for e in recorder.events}
    assert ("Z", at["Z = W @ X"]) in names and ("grads['dW']", at['grads["dW"] = A @ X.T']) in names


def test_slice_back_finds_the_earliest_wrong_intermediate_and_skips_values_in_the_making():
    recorder, result = run()
    at = lines()
    tree = ast.parse(textwrap.dedent(inspect.getsource(learner)))
    # tree lines are relative to the function; shift the events to match
    offset = learner.__code__.co_firstlineno - 1
    events = [trace.Event(e.order, e.function, e.line - offset, e.name, e.value, e.ref) for e in recorder.events]
    start = trace.producer(events, result["dW"], "learner")
    wrong = trace.slice_back(events, start, tree, lambda e: e.name == "Z")
    assert wrong.name == "Z" and wrong.line + offset == at["Z = W @ X"]
    # the first A (before A = A * 2) is never judged on its own
    judged = []
    trace.slice_back(events, start, tree, lambda e: judged.append((e.name, e.line + offset)) or False)
    a_twice = next(v for k, v in at.items() if k.startswith("A = A * 2"))
    assert ("A", at["A = np.tanh(Z)"]) not in judged and ("A", a_twice) in judged


def test_in_place_changes_are_events_too():
    def relu_backward(dA, Z):
        dZ = np.array(dA, copy=True)
        dZ[Z <= 0] = 0
        return dZ

    recorder = trace.Recorder(relu_backward.__code__.co_filename)
    result, _ = recorder.run(relu_backward, np.ones(3), np.array([-1.0, 1.0, 2.0]))
    event = trace.producer(recorder.events, result, "relu_backward")
    assert "dZ[Z <= 0] = 0" in inspect.getsource(relu_backward).splitlines()[event.line - relu_backward.__code__.co_firstlineno]
