"""Learning-rate schedules (values by hand, the course's functions) and the callbacks that apply them."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from chainrule import Dense, MeanSquaredError, Sequential
from chainrule.callbacks import History, LearningRateScheduler, ReduceLROnPlateau
from chainrule.optimizers import SGD
from chainrule import registry
from chainrule.schedules import (Constant, CosineDecay, ExponentialDecay, InverseTimeDecay, StepDecay, schedule_lr_decay,
                                 update_lr)


# -- the course's C2W2 functions -------------------------------------------------------------------
def test_update_lr_matches_the_course_expected_output():
    # 0.5 / (1 + 1·2) = 0.5 / 3
    assert update_lr(0.5, 2, 1) == 0.16666666666666666
    assert update_lr(0.5, 0, 1) == 0.5


def test_schedule_lr_decay_matches_the_course_expected_outputs():
    # ⌊10/100⌋ = 0: unchanged;  ⌊100/100⌋ = 1: 0.5 / (1 + 0.3) = 0.5 / 1.3.
    # NOTE: the notebook prints 0.3846153846153846: 1 + 0.3 rounds up to the double 1.3000000000000000444,
    # so the quotient is one ulp below 5/13 correctly rounded (0.38461538461538464), which no float64
    # evaluation of the course formula produces.
    assert schedule_lr_decay(0.5, 10, 0.3, 100) == 0.5
    assert schedule_lr_decay(0.5, 100, 0.3, 100) == 0.3846153846153846
    assert schedule_lr_decay(0.5, 100, 0.3, 100) == pytest.approx(5 / 13, rel=1e-15)
    assert schedule_lr_decay(0.5, 199, 0.3, 100) == 0.3846153846153846
    assert schedule_lr_decay(0.5, 999, 0.3) == 0.5                    # time_interval defaults to 1000


# -- values by hand --------------------------------------------------------------------------------
def test_constant():
    assert [Constant(0.1)(e) for e in (0, 5, 1000)] == [0.1, 0.1, 0.1]


def test_step_decay_halves_every_ten_epochs():
    schedule = StepDecay(0.1)                          # drop=0.5, every=10
    assert [schedule(e) for e in (0, 9, 10, 19, 20, 35)] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.0125],
                                                                        rel=1e-15)
    assert StepDecay(1.0, drop=0.1, every=3)(7) == pytest.approx(0.01, rel=1e-15)    # 0.1^⌊7/3⌋ = 0.1²


def test_exponential_decay():
    schedule = ExponentialDecay(0.2, decay_rate=0.5)
    assert [schedule(e) for e in range(4)] == [0.2, 0.1, 0.05, 0.025]


def test_inverse_time_decay_smooth_and_staircase():
    assert InverseTimeDecay(1.0, 0.5)(4) == pytest.approx(1 / 3, rel=1e-15)                      # 1/(1 + 0.5·4)
    assert InverseTimeDecay(1.0, 0.5, every=2)(3) == pytest.approx(1 / 1.75, rel=1e-15)          # 1/(1 + 0.5·1.5)
    staircase = InverseTimeDecay(1.0, 0.5, every=3, staircase=True)
    assert [staircase(e) for e in (0, 2, 3, 5, 6)] == pytest.approx([1, 1, 2 / 3, 2 / 3, 1 / 2], rel=1e-15)
    assert InverseTimeDecay(0.5, 0.0)(100) == 0.5


def test_cosine_decay_without_warm_up():
    # lr(e) = 2·(1 + cos(π·e/4))/2:  e = 0..3 → 2, 1 + √½, 1, 1 - √½;  e ≥ 4 → min_lr = 0
    schedule = CosineDecay(2.0, total_epochs=4)
    half_root2 = math.sqrt(0.5)
    assert [schedule(e) for e in range(6)] == pytest.approx([2.0, 1 + half_root2, 1.0, 1 - half_root2, 0.0, 0.0],
                                                          rel=0, abs=1e-15)


def test_cosine_decay_with_warm_up_and_a_floor():
    # w = 2: e = 0, 1 → 1·1/2, 1·2/2; then p = (e - 2)/8 and lr = 0.1 + 0.9·(1 + cos(π·p))/2
    schedule = CosineDecay(1.0, total_epochs=10, warmup_epochs=2, min_lr=0.1)
    assert schedule(0) == 0.5 and schedule(1) == 1.0 and schedule(2) == 1.0
    assert schedule(4) == pytest.approx(0.1 + 0.9 * (1 + math.sqrt(0.5)) / 2, abs=1e-15)     # p = 1/4
    assert schedule(6) == pytest.approx(0.55, abs=1e-15)                                     # p = 1/2
    assert schedule(10) == 0.1 and schedule(50) == 0.1
    values = [schedule(e) for e in range(2, 11)]
    assert all(a > b for a, b in zip(values, values[1:]))                                    # decreasing after warm-up


def test_the_registry_builds_a_schedule_by_name_and_config_rebuilds_it():
    assert isinstance(registry.create("schedule", "step", lr=0.1, every=5), StepDecay)
    for name, kwargs in [("constant", {"lr": 0.1}), ("step", {"lr": 0.1, "drop": 0.2, "every": 3}),
                         ("exponential", {"lr": 0.1, "decay_rate": 0.9}),
                         ("inverse_time", {"lr": 0.1, "decay_rate": 1.0, "every": 2, "staircase": True}),
                         ("cosine", {"lr": 0.1, "total_epochs": 20, "warmup_epochs": 3, "min_lr": 0.01})]:
        schedule = registry.create("schedule", name, **kwargs)
        assert schedule.config() == {**schedule.config(), **{k: v for k, v in kwargs.items()}}
        again = registry.lookup("schedule", name)(**schedule.config())
        assert [again(e) for e in range(25)] == [schedule(e) for e in range(25)]
    assert repr(StepDecay(0.1)) == "StepDecay(lr=0.1, drop=0.5, every=10)"


def test_an_unknown_schedule_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown schedule 'linear'\. Known schedule names: constant, cosine, "
                                         r"exponential, inverse_time, step\.$"):
        registry.create("schedule", "linear", lr=0.1)


@pytest.mark.parametrize("make, fragment", [
    (lambda: Constant(0.0), r"Constant: lr must be > 0"),
    (lambda: StepDecay(-0.1), r"lr must be > 0"),
    (lambda: StepDecay(0.1, drop=0.0), r"drop must be in \(0.0, 1.0\]"),
    (lambda: StepDecay(0.1, drop=1.5), r"drop must be in \(0.0, 1.0\]"),
    (lambda: StepDecay(0.1, every=0), r"every must be an integer >= 1"),
    (lambda: ExponentialDecay(0.1, 0.0), r"decay_rate must be in \(0.0, 1.0\]"),
    (lambda: ExponentialDecay(0.1, 1.1), r"decay_rate must be in \(0.0, 1.0\]"),
    (lambda: InverseTimeDecay(0.1, -1.0), r"decay_rate must be in \[0.0, inf\)"),
    (lambda: InverseTimeDecay(0.1, 1.0, every=2.5), r"every must be an integer >= 1"),
    (lambda: CosineDecay(0.1, total_epochs=0), r"total_epochs must be an integer >= 1"),
    (lambda: CosineDecay(0.1, 10, warmup_epochs=10), r"warmup_epochs must be in \[0, total_epochs\) = \[0, 10\)"),
    (lambda: CosineDecay(0.1, 10, min_lr=0.2), r"min_lr must be in \[0.0, 0.1\]"),
    (lambda: CosineDecay(0.1, 10, min_lr=-0.1), r"min_lr must be in \[0.0, 0.1\]"),
    (lambda: StepDecay(0.1)(-1), r"epoch must be an integer >= 0"),
    (lambda: update_lr(0.5, 2, -1), r"decay_rate must be in \[0.0, inf\)"),
    (lambda: schedule_lr_decay(0.5, 100, 0.3, 0), r"every must be an integer >= 1"),
])
def test_bad_arguments_raise_value_error_with_the_accepted_range(make, fragment):
    with pytest.raises(ValueError, match=fragment):
        make()


# -- LearningRateScheduler -------------------------------------------------------------------------
class RecordingSGD(SGD):
    """SGD that records the lr of every step."""

    def step(self, params_and_grads):
        self.step_lrs = getattr(self, "step_lrs", []) + [self.lr]
        super().step(params_and_grads)


def small_problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, 3))
    return X, X @ np.array([[1.0], [-2.0], [0.5]])


def test_learning_rate_scheduler_sets_the_lr_of_every_epoch_and_continues_on_a_second_fit():
    X, Y = small_problem()
    model = Sequential([Dense(3, 1)], seed=0)
    optimizer = RecordingSGD(lr=1.0)
    callback = LearningRateScheduler(StepDecay(0.1, drop=0.5, every=2))
    model.fit(X, Y, MeanSquaredError(), optimizer, epochs=5, batch_size=16, callbacks=[callback])
    assert optimizer.step_lrs == [0.1, 0.1, 0.05, 0.05, 0.025]           # one full-batch step per epoch
    assert callback.epochs == [0, 1, 2, 3, 4] and callback.lrs == optimizer.step_lrs
    assert optimizer.lr == 0.025                                        # ready for epoch 5

    model.fit(X, Y, MeanSquaredError(), optimizer, epochs=3, batch_size=16, callbacks=[callback])
    assert optimizer.step_lrs[5:] == [0.025, 0.0125, 0.0125]            # epochs 5, 6, 7
    assert callback.epochs[5:] == [5, 6, 7]


def test_a_new_scheduler_starts_from_the_model_epoch_count():
    X, Y = small_problem()
    model = Sequential([Dense(3, 1)], seed=0)
    optimizer = RecordingSGD(lr=0.05)
    model.fit(X, Y, MeanSquaredError(), optimizer, epochs=3, batch_size=8)
    model.fit(X, Y, MeanSquaredError(), optimizer, epochs=1, batch_size=8,
              callbacks=[LearningRateScheduler(lambda epoch: 0.01 * epoch)])
    assert optimizer.step_lrs == [0.05] * 6 + [0.03, 0.03]              # epoch 3, two batches


def test_learning_rate_scheduler_rejects_bad_schedules_and_models():
    with pytest.raises(ValueError, match="schedule must be a callable"):
        LearningRateScheduler(0.1)
    model = SimpleNamespace(optimizer=SGD(lr=0.1), history=History())
    with pytest.raises(ValueError, match=r"schedule\(0\) returned -0.5; a learning rate must be a finite number >= 0"):
        LearningRateScheduler(lambda epoch: -0.5).on_train_begin(model)
    with pytest.raises(ValueError, match="no optimizer"):
        LearningRateScheduler(Constant(0.1)).on_train_begin(SimpleNamespace(optimizer=None, history=History()))


# -- ReduceLROnPlateau -----------------------------------------------------------------------------
def drive(callback, values, monitor="val_loss", lr=1.0):
    """Run ``callback`` over hand-made logs on a fake model; return the lr after each epoch."""
    model = SimpleNamespace(optimizer=SGD(lr=lr), history=History(), stop_training=False)
    callback.on_train_begin(model)
    lrs = []
    for epoch, value in enumerate(values):
        callback.on_epoch_end(epoch, {"loss": 0.0, monitor: value})
        lrs.append(model.optimizer.lr)
    return lrs


def test_reduce_lr_on_plateau_reduces_after_patience_epochs_without_improvement():
    callback = ReduceLROnPlateau(factor=0.5, patience=3)
    #        best   best   wait1  wait2  wait3→×0.5  best   wait1  wait2  wait3→×0.5
    values = [1.0, 0.9, 0.95, 0.92, 0.91, 0.89, 0.9, 0.9, 0.9]
    assert drive(callback, values) == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]
    assert callback.reductions == [(4, 0.5), (8, 0.25)]


def test_reduce_lr_on_plateau_min_delta_min_lr_and_max_mode():
    # improvements of 0.01 are below min_delta = 0.05, so they count as waiting
    assert drive(ReduceLROnPlateau(factor=0.1, patience=2, min_delta=0.05), [1.0, 0.99, 0.98, 0.97, 0.96]) == \
        pytest.approx([1, 1, 0.1, 0.1, 0.01], rel=1e-15)
    # the lr stops at min_lr and no further reduction is recorded
    callback = ReduceLROnPlateau(factor=0.1, patience=1, min_lr=0.05)
    assert drive(callback, [1.0, 1.0, 1.0, 1.0]) == pytest.approx([1, 0.1, 0.05, 0.05], rel=1e-15)
    assert len(callback.reductions) == 2
    # "auto" picks max for accuracy: rising accuracy never reduces, a flat one does
    assert drive(ReduceLROnPlateau("val_accuracy", factor=0.5, patience=1), [0.5, 0.6, 0.7], "val_accuracy") == [1, 1, 1]
    assert drive(ReduceLROnPlateau("val_accuracy", factor=0.5, patience=1), [0.5, 0.5, 0.4], "val_accuracy") == \
        [1, 0.5, 0.25]


def test_reduce_lr_on_plateau_checks_its_arguments_and_the_monitor():
    for kwargs, fragment in [({"factor": 1.0}, r"factor must be in \(0, 1\)"), ({"factor": 0}, r"factor must be in"),
                             ({"patience": -1}, "patience must be an integer >= 0"),
                             ({"min_delta": -0.1}, r"min_delta must be in \[0, inf\)"),
                             ({"min_lr": -1.0}, r"min_lr must be in \[0, inf\)"), ({"mode": "up"}, "mode must be")]:
        with pytest.raises(ValueError, match=fragment):
            ReduceLROnPlateau(**kwargs)
    with pytest.raises(ValueError, match="monitor 'val_loss' is not among the logged metrics"):
        drive(ReduceLROnPlateau(), [1.0], monitor="loss_other")


def test_reduce_lr_on_plateau_in_fit_lowers_the_optimizer_lr():
    X, Y = small_problem()
    model = Sequential([Dense(3, 1)], seed=0)
    optimizer = SGD(lr=0.01)
    callback = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0)   # patience 0: every epoch not improving
    model.fit(X, Y, MeanSquaredError(), optimizer, epochs=3, batch_size=16, callbacks=[callback])
    assert optimizer.lr == 0.01 and callback.reductions == []              # the loss falls every epoch
