"""Saving and loading models: exact round trips, exact resume, atomic writes, hostile files."""

import json
import os
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule
from chainrule import (SGD, Adam, BinaryCrossEntropy, Dense, Dropout, History, Identity, Layer,
                       LearningRateScheduler, LeakyReLU, MeanSquaredError, ReLU, Sequential, Sigmoid, Softmax, SoftmaxCrossEntropy, Tanh, one_hot)
from chainrule import io as cio
from chainrule import _files, registry
from chainrule.schedules import CosineDecay

DTYPES = [np.float64, np.float32]


def every_layer_model(dtype, seed=3):
    """One model holding each layer type the loader knows, with non-default configs where they exist."""
    return Sequential([
        Dense(3, 6, l2=0.01), LeakyReLU(alpha=0.2), Dropout(0.25),
        Dense(6, 5), Tanh(),
        Dense(5, 5), ReLU(),
        Dense(5, 4), Sigmoid(),
        Dense(4, 4), Identity(),
        Dense(4, 3), Softmax(),
    ], dtype=dtype, seed=seed)


def three_class_data(seed=11, m=60):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 3))
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.5)
    return X, y


def params(model):
    return [p for p, _ in model.params_and_grads()]


def assert_same_params(a, b):
    pa, pb = params(a), params(b)
    assert len(pa) == len(pb)
    for x, y in zip(pa, pb):
        assert x.dtype == y.dtype
        assert np.array_equal(x, y)


def assert_same_optimizer(a, b):
    assert type(a) is type(b)
    assert a.config() == b.config()
    assert a.t == b.t
    sa, sb = a.state_dict(), b.state_dict()
    for name in a.state_names:
        assert len(sa[name]) == len(sb[name])
        for x, y in zip(sa[name], sb[name]):
            assert x.dtype == y.dtype
            assert np.array_equal(x, y)


def trained_every_layer_model(dtype, optimizer, epochs=2):
    model = every_layer_model(dtype)
    X, y = three_class_data()
    model.fit(X, one_hot(y, 3), MeanSquaredError(half=False), optimizer, epochs=epochs, batch_size=16)
    return model, X


# -- round trips ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_round_trip_of_every_layer_type_gives_identical_predictions(tmp_path, dtype):
    model, X = trained_every_layer_model(dtype, Adam(lr=0.01))
    path = tmp_path / "every.npz"
    model.save(path)
    loaded = chainrule.load(path)
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    assert [layer.config() for layer in loaded.layers] == [layer.config() for layer in model.layers]
    assert loaded.layers[0].l2 == 0.01
    assert loaded.layers[1].alpha == 0.2
    assert loaded.layers[2].rate == 0.25
    assert loaded.dtype == np.dtype(dtype)
    assert loaded.seed == 3
    assert_same_params(model, loaded)
    out, out_loaded = model.predict(X), loaded.predict(X)
    assert out_loaded.dtype == np.dtype(dtype)
    assert np.array_equal(out, out_loaded)


def test_chainrule_save_function_matches_model_save(tmp_path):
    model, X = trained_every_layer_model(np.float64, SGD(lr=0.1))
    chainrule.save(model, tmp_path / "a.npz")
    assert np.array_equal(chainrule.load(tmp_path / "a.npz").predict(X), model.predict(X))


def test_save_function_rejects_something_that_is_not_a_model(tmp_path):
    with pytest.raises(ValueError, match="Sequential"):
        chainrule.save({"W": np.ones(2)}, tmp_path / "a.npz")


def test_untrained_model_round_trips_without_loss_or_optimizer(tmp_path):
    model = every_layer_model(np.float64)
    model.save(tmp_path / "fresh.npz")
    loaded = chainrule.load(tmp_path / "fresh.npz")
    assert loaded.loss is None and loaded.optimizer is None
    assert loaded.history.epoch == []
    assert_same_params(model, loaded)


@pytest.mark.parametrize("make_loss", [lambda: MeanSquaredError(half=False), MeanSquaredError,
                                       lambda: BinaryCrossEntropy(from_logits=True, sum_over_outputs=True),
                                       BinaryCrossEntropy, SoftmaxCrossEntropy],
                         ids=["mse_full", "mse_half", "bce_logits_sum", "bce_probs", "softmax_ce"])
def test_loss_type_and_config_are_restored(tmp_path, make_loss):
    loss = make_loss()
    model = Sequential([Dense(2, 3), Sigmoid()], seed=0)
    model.loss = loss
    model.save(tmp_path / "m.npz")
    restored = chainrule.load(tmp_path / "m.npz").loss
    assert type(restored) is type(loss)
    assert restored.config() == loss.config()


@pytest.mark.parametrize("make_optimizer", [lambda: SGD(lr=0.05, momentum=0.9, nesterov=True), lambda: SGD(lr=0.2),
                                            lambda: Adam(lr=0.003, beta1=0.8, beta2=0.99, eps=1e-7)],
                         ids=["sgd_nesterov", "sgd_plain", "adam"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_optimizer_hyperparameters_step_count_and_state_are_restored(tmp_path, make_optimizer, dtype):
    optimizer = make_optimizer()
    model, _ = trained_every_layer_model(dtype, optimizer)
    assert optimizer.t > 0
    model.save(tmp_path / "m.npz")
    loaded = chainrule.load(tmp_path / "m.npz")
    assert_same_optimizer(optimizer, loaded.optimizer)


def test_history_is_restored_value_for_value(tmp_path):
    model = Sequential([Dense(3, 4), Tanh(), Dense(4, 3)], seed=5)
    X, y = three_class_data()
    model.fit(X, y, SoftmaxCrossEntropy(), SGD(lr=0.1), epochs=4, batch_size=20, validation_data=(X[:10], y[:10]))
    model.save(tmp_path / "m.npz")
    history = chainrule.load(tmp_path / "m.npz").history
    assert isinstance(history, History)
    assert history.epoch == [0, 1, 2, 3]
    assert history.history == model.history.history
    assert sorted(history.keys()) == ["accuracy", "loss", "val_accuracy", "val_loss"]


def test_meta_is_restored(tmp_path):
    model = Sequential([Dense(2, 1)], seed=0)
    model.meta = {"data": "moons", "batch_size": 16, "n_samples": None}
    model.save(tmp_path / "m.npz")
    assert chainrule.load(tmp_path / "m.npz").meta == model.meta


# -- exact resume -------------------------------------------------------------------------------------
def resume_model(dtype):
    return Sequential([Dense(3, 12, l2=1e-3), ReLU(), Dropout(0.3), Dense(12, 8), Tanh(), Dropout(0.2),
                       Dense(8, 3)], dtype=dtype, seed=21)


@pytest.mark.parametrize("make_optimizer", [lambda: SGD(lr=0.05, momentum=0.9), lambda: Adam(lr=0.01)],
                         ids=["sgd_momentum", "adam"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_save_load_and_continue_equals_uninterrupted_training_bit_for_bit(tmp_path, dtype, make_optimizer):
    X, y = three_class_data(m=90)
    val = (X[:20], y[:20])

    straight = resume_model(dtype)
    straight.fit(X, y, SoftmaxCrossEntropy(), make_optimizer(), epochs=6, batch_size=16, validation_data=val,
                 shuffle=True)

    first = resume_model(dtype)
    first.fit(X, y, SoftmaxCrossEntropy(), make_optimizer(), epochs=3, batch_size=16, validation_data=val,
              shuffle=True)
    first.save(tmp_path / "half.npz")
    resumed = chainrule.load(tmp_path / "half.npz")
    # not vacuous: three more epochs do change the weights
    assert not all(np.array_equal(a, b) for a, b in zip(params(resumed), params(straight)))
    resumed.fit(X, y, resumed.loss, resumed.optimizer, epochs=3, batch_size=16, validation_data=val, shuffle=True)

    assert_same_params(straight, resumed)
    assert resumed.history.history == straight.history.history
    assert resumed.history.epoch == list(range(6))
    assert_same_optimizer(straight.optimizer, resumed.optimizer)
    assert resumed.rng.bit_generator.state == straight.rng.bit_generator.state


def test_loaded_dropout_layers_draw_from_the_restored_generator(tmp_path):
    model = resume_model(np.float64)
    X, y = three_class_data()
    model.fit(X, y, SoftmaxCrossEntropy(), SGD(lr=0.1), epochs=1, batch_size=32)
    model.save(tmp_path / "m.npz")
    loaded = chainrule.load(tmp_path / "m.npz")
    dropouts = [layer for layer in loaded.layers if isinstance(layer, Dropout)]
    assert dropouts and all(layer.rng is loaded.rng for layer in dropouts)
    a = model.forward(X, training=True)
    b = loaded.forward(X, training=True)
    assert np.array_equal(a, b)


# -- atomic writes -------------------------------------------------------------------------------------
@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()], ids=["oserror", "ctrl_c"])
def test_failed_save_leaves_the_previous_file_intact_and_no_temp_files(tmp_path, monkeypatch, error):
    model = Sequential([Dense(2, 3), Tanh(), Dense(3, 1)], seed=0)
    path = tmp_path / "m.npz"
    model.save(path)
    before = path.read_bytes()

    def half_written_savez(file, *args, **kwargs):
        file.write(b"PK\x03\x04 half of a zip")
        raise error

    monkeypatch.setattr(np, "savez", half_written_savez)
    model.layers[0].W += 1.0
    with pytest.raises(type(error)):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]
    assert np.array_equal(chainrule.load(path).layers[0].W, model.layers[0].W - 1.0)


def test_failed_first_save_creates_no_file_at_all(tmp_path, monkeypatch):
    def broken_savez(file, *args, **kwargs):
        file.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError):
        Sequential([Dense(2, 1)], seed=0).save(tmp_path / "new.npz")
    assert os.listdir(tmp_path) == []


def test_save_into_a_missing_directory_raises_value_error(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        Sequential([Dense(2, 1)], seed=0).save(tmp_path / "nope" / "m.npz")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_saved_file_gets_the_usual_umask_permissions_not_private_temp_file_ones(tmp_path):
    old = os.umask(0o022)
    try:
        Sequential([Dense(2, 1)], seed=0).save(tmp_path / "m.npz")
    finally:
        os.umask(old)
    assert (tmp_path / "m.npz").stat().st_mode & 0o777 == 0o644


# -- damaged, foreign and hostile files ------------------------------------------------------------------
@pytest.fixture
def saved(tmp_path):
    model = Sequential([Dense(2, 4), Tanh(), Dense(4, 2)], seed=1)
    X, y = three_class_data()
    model.fit(X[:, :2], (y > 0).astype(np.int64), SoftmaxCrossEntropy(), Adam(lr=0.01), epochs=1)
    path = tmp_path / "good.npz"
    model.save(path)
    return path


def rewrite_document(src, dst, change):
    with np.load(src) as archive:
        arrays = {name: archive[name] for name in archive.files}
    document = json.loads(str(arrays.pop("__chainrule__")))
    change(document)
    np.savez(dst, __chainrule__=np.array(json.dumps(document)), **arrays)


@pytest.mark.parametrize("keep", [0, 10, 0.5, -20], ids=["empty", "10_bytes", "half", "minus_20_bytes"])
def test_truncated_file_raises_value_error_naming_the_file(tmp_path, saved, keep):
    data = saved.read_bytes()
    n = int(len(data) * keep) if isinstance(keep, float) else (keep if keep >= 0 else len(data) + keep)
    bad = tmp_path / "truncated_model.npz"
    bad.write_bytes(data[:n])
    with pytest.raises(ValueError, match="truncated_model.npz"):
        chainrule.load(bad)


def test_random_bytes_file_raises_value_error_naming_the_file(tmp_path):
    bad = tmp_path / "noise.npz"
    bad.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(ValueError, match="noise.npz"):
        chainrule.load(bad)


def test_flipped_data_byte_fails_the_checksum_with_value_error(tmp_path, saved):
    data = bytearray(saved.read_bytes())
    start = data.index(b"layers.1.W.npy") + len("layers.1.W.npy") + 80   # inside the array's bytes
    data[start] ^= 0xFF
    bad = tmp_path / "flipped.npz"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="flipped.npz"):
        chainrule.load(bad)


def test_npy_file_named_npz_raises_value_error_naming_the_file(tmp_path):
    bad = tmp_path / "array_not_archive.npz"
    with open(bad, "wb") as file:
        np.save(file, np.zeros(3))
    with pytest.raises(ValueError, match="array_not_archive.npz"):
        chainrule.load(bad)


def test_zip_entry_with_unsupported_version_raises_value_error_naming_the_file(tmp_path, saved):
    data = bytearray(saved.read_bytes())
    central = data.index(b"PK\x01\x02")             # first central-directory record
    data[central + 6:central + 8] = struct.pack("<H", 255)   # "version needed to extract" = 25.5
    bad = tmp_path / "future_zip.npz"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="future_zip.npz"):
        chainrule.load(bad)


def test_npz_without_the_chainrule_document_raises_value_error_naming_the_file(tmp_path):
    bad = tmp_path / "plain_arrays.npz"
    np.savez(bad, W=np.ones((2, 2)))
    with pytest.raises(ValueError, match="plain_arrays.npz"):
        chainrule.load(bad)


def test_newer_format_version_raises_value_error_naming_the_file(tmp_path, saved):
    bad = tmp_path / "from_the_future.npz"
    rewrite_document(saved, bad, lambda doc: doc.update(format_version=doc["format_version"] + 1))
    with pytest.raises(ValueError, match=r"from_the_future\.npz.*newer"):
        chainrule.load(bad)


def test_foreign_format_name_raises_value_error_naming_the_file(tmp_path, saved):
    bad = tmp_path / "other_tool.npz"
    rewrite_document(saved, bad, lambda doc: doc.update(format="othertool.Model"))
    with pytest.raises(ValueError, match="other_tool.npz"):
        chainrule.load(bad)


def test_document_that_is_not_json_raises_value_error_naming_the_file(tmp_path):
    bad = tmp_path / "bad_json.npz"
    np.savez(bad, __chainrule__=np.array("{not json"))
    with pytest.raises(ValueError, match="bad_json.npz"):
        chainrule.load(bad)


def test_missing_weight_array_raises_value_error_naming_the_array(tmp_path, saved):
    with np.load(saved) as archive:
        arrays = {name: archive[name] for name in archive.files if name != "layers.3.W"}
    bad = tmp_path / "no_w.npz"
    np.savez(bad, **arrays)
    with pytest.raises(ValueError, match=r"no_w\.npz.*layers\.3\.W"):
        chainrule.load(bad)


@pytest.mark.parametrize("change", [
    lambda doc: doc.update(dtype="int32"),
    lambda doc: doc.update(layers=[]),
    lambda doc: doc["layers"][2]["config"].update(n_in=9),
    lambda doc: doc.update(rng_state={"bit_generator": "MT19937", "state": {}}),
    lambda doc: doc["optimizer"].update(t="x"),
], ids=["integer_dtype", "no_layers", "layer_sizes_disagree", "other_generator", "step_count_not_a_number"])
def test_malformed_document_raises_value_error_naming_the_file(tmp_path, saved, change):
    bad = tmp_path / "malformed_doc.npz"
    rewrite_document(saved, bad, change)
    with pytest.raises(ValueError, match="malformed_doc.npz"):
        chainrule.load(bad)


def test_non_numeric_weight_array_raises_value_error_naming_the_file(tmp_path, saved):
    with np.load(saved) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["layers.1.W"] = np.full(arrays["layers.1.W"].shape, "w", dtype="<U1")
    bad = tmp_path / "text_weights.npz"
    np.savez(bad, **arrays)
    with pytest.raises(ValueError, match="text_weights.npz"):
        chainrule.load(bad)


@pytest.mark.parametrize("damage", ["wrong_shape", "missing_entry"])
def test_damaged_optimizer_state_is_rejected_at_load_naming_the_file(tmp_path, saved, damage):
    with np.load(saved) as archive:
        arrays = {name: archive[name] for name in archive.files}
    if damage == "wrong_shape":
        arrays["optimizer.m.0"] = np.zeros(3)
    else:
        del arrays["optimizer.v.3"]
    bad = tmp_path / "bad_state.npz"
    np.savez(bad, **arrays)
    with pytest.raises(ValueError, match="bad_state.npz"):
        chainrule.load(bad)


def test_object_array_in_the_file_raises_value_error_naming_the_file(tmp_path, saved):
    with np.load(saved) as archive:
        arrays = {name: archive[name] for name in archive.files}
    bad = tmp_path / "objects.npz"
    np.savez(bad, extra=np.array([{"a": 1}, None], dtype=object), **arrays)
    with pytest.raises(ValueError, match="objects.npz"):
        chainrule.load(bad)


class _MakeSentinel:
    """Unpickling this calls os.mkdir(path): the proof that code ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_pickle_payload_in_a_model_file_never_executes(tmp_path, saved):
    sentinel = tmp_path / "pwned"
    with np.load(saved) as archive:
        arrays = {name: archive[name] for name in archive.files}
    evil = tmp_path / "evil.npz"
    payload = np.empty(1, dtype=object)
    payload[0] = _MakeSentinel(str(sentinel))
    np.savez(evil, **{"layers.1.W": payload}, **{k: v for k, v in arrays.items() if k != "layers.1.W"})

    with pytest.raises(ValueError, match="evil.npz"):
        chainrule.load(evil)
    assert not sentinel.exists()

    # control: the payload is live, so the check above means something
    with np.load(evil, allow_pickle=True) as archive:
        archive["layers.1.W"]
    assert sentinel.exists()


def test_missing_file_raises_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="absent.npz"):
        chainrule.load(tmp_path / "absent.npz")


# -- custom classes and inspectability ---------------------------------------------------------------------
class Scale(Layer):
    """Multiply by a constant: a parameter-free custom layer with a config."""

    def __init__(self, factor=2.0):
        self.factor = factor

    def forward(self, A_prev, training=False):
        return A_prev * self.factor

    def backward(self, dA):
        return dA * self.factor

    def config(self):
        return {"factor": self.factor}


def test_custom_layer_loads_only_after_register(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "CLASSES", dict(registry.CLASSES))   # undo the registration afterwards
    model = Sequential([Dense(2, 3), Scale(0.5), Dense(3, 1)], seed=4)
    path = tmp_path / "custom.npz"
    model.save(path)
    with pytest.raises(ValueError, match=r"custom\.npz.*Scale.*register"):
        chainrule.load(path)
    assert cio.register(Scale) is Scale
    loaded = chainrule.load(path)
    assert isinstance(loaded.layers[1], Scale) and loaded.layers[1].factor == 0.5
    X = np.random.default_rng(0).normal(size=(5, 2))
    assert np.array_equal(loaded.predict(X), model.predict(X))


def test_register_rejects_a_class_that_is_not_a_layer_loss_or_optimizer():
    with pytest.raises(ValueError, match="register"):
        cio.register(dict)


def test_file_is_a_plain_inspectable_npz(tmp_path):
    model = Sequential([Dense(2, 3), ReLU(), Dense(3, 2)], seed=0)
    X, y = three_class_data()
    model.fit(X[:, :2], (y > 0).astype(np.int64), SoftmaxCrossEntropy(), Adam(), epochs=1)
    model.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as archive:
        names = set(archive.files)
        assert {"layers.1.W", "layers.1.b", "layers.3.W", "layers.3.b", "__chainrule__"} <= names
        assert np.array_equal(archive["layers.1.W"], model.layers[0].W)
        document = json.loads(str(archive["__chainrule__"]))
    assert document["format_version"] == cio.FORMAT_VERSION
    assert document["format"] == "chainrule.Sequential"
    assert [layer["type"] for layer in document["layers"]] == ["Dense", "ReLU", "Dense"]
    assert document["optimizer"]["type"] == "Adam"


# -- files written by earlier versions ---------------------------------------------------------------------
FORMAT_V1 = Path(__file__).resolve().parent / "data" / "format_v1"


@pytest.mark.parametrize("name", ["every_layer_ce_adamw", "softmax_mse_sgd_f32", "mae_rmsprop", "huber_adagrad",
                                  "bce_logits_adam"])
def test_a_file_written_before_the_format_moved_to_io_loads_identically(name):
    # Written by tests/data/format_v1/write.py with Sequential.to_document, before it moved to io.
    path = FORMAT_V1 / f"{name}.npz"
    old_arrays, old_document = _files.read_npz(path)
    model = chainrule.load(path)
    with np.load(FORMAT_V1 / "predictions.npz") as expected:
        X = np.random.default_rng(0).normal(size=(7, 3))
        assert np.array_equal(model.predict(X), expected[name])
    # Writing the loaded model again gives back every array and every field of the old file.
    arrays, document = cio.to_document(model)
    assert sorted(arrays) == sorted(old_arrays)
    for key, array in arrays.items():
        assert array.dtype == old_arrays[key].dtype and np.array_equal(array, old_arrays[key]), key
    assert old_document["chainrule_version"] == "0.1.0"                 # the writer's; a later one records its own
    assert json.loads(json.dumps(document)) == {**old_document, "chainrule_version": chainrule.__version__}
    assert model.optimizer.t == 12 and len(model.history.epoch) == 3


def test_an_optimizer_that_a_schedule_left_at_lr_0_is_saved_and_loaded(tmp_path):
    model = Sequential([Dense(3, 4), ReLU(), Dense(4, 3)], seed=0)
    X, y = three_class_data()
    schedule = LearningRateScheduler(CosineDecay(0.01, total_epochs=2))      # lr(2) = min_lr = 0
    model.fit(X, y, SoftmaxCrossEntropy(), Adam(lr=0.01), epochs=2, batch_size=20, callbacks=[schedule])
    assert model.optimizer.lr == 0.0
    model.save(tmp_path / "m.npz")
    loaded = chainrule.load(tmp_path / "m.npz")
    assert_same_optimizer(model.optimizer, loaded.optimizer)
    assert loaded.optimizer.lr == 0.0
    resumed = Adam(lr=1.0)
    resumed.load_state_dict(model.optimizer.state_dict())
    assert resumed.lr == 0.0
    spec = {"type": "Adam", "config": {"lr": -0.5}}                          # a negative lr is still refused
    with pytest.raises(ValueError, match="lr must be > 0"):
        cio._load_optimizer(spec, {}, loaded, "load")
