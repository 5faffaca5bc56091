"""The playground's session (settings, training through fit, the state the page draws, the code it
shows) and its JSON API over a real server on a free port."""

import io
import json
import threading
import urllib.error
import urllib.request

import numpy as np
import pytest

import chainrule as cr
from chainrule.playground import LIMITS, PlaygroundServer, Session, Settings


def session(**settings):
    return Session(Settings.checked(settings))


# -- the session --------------------------------------------------------------------------------------
def test_session_trains_with_fit_and_the_shown_code_reproduces_the_weights():
    s = session(dataset="moons", hidden=[6], activation="relu", optimizer="momentum", lr=0.05, batch_size=8, seed=3)
    s.step(4)
    s.set_lr(0.02)                                  # a change on the page: the code replays it with a schedule
    s.step(3)
    code = s.code()
    assert "LearningRateScheduler" in code and "epochs=7" in code
    namespace = {}
    exec(compile(code, "<playground code>", "exec"), namespace)
    for (got, _), (want, _) in zip(namespace["model"].params_and_grads(), s.model.params_and_grads()):
        np.testing.assert_array_equal(got, want)
    assert namespace["model"].history.history == s.model.history.history


def test_state_holds_curves_boundary_layers_and_points():
    s = session(dataset="blobs", hidden=[5, 4], activation="tanh", n_samples=120)
    state = s.state(with_points=True)
    assert state["epoch"] == 0 and state["history"]["loss"] == []
    s.step(2)
    state = s.state(with_points=True)
    assert state["epoch"] == 2 and len(state["history"]["val_accuracy"]) == 2
    n = LIMITS["grid"]
    boundary = state["boundary"]
    assert len(boundary["labels"]) == n * n and set(boundary["labels"]) <= {0, 1, 2}
    assert all(1 / 3 - 1e-9 <= c <= 1 for c in boundary["confidence"])
    dense = [row for row in state["layers"] if "grad_norm" in row]
    stuck = [row for row in state["layers"] if "kind" in row]
    assert len(dense) == 3 and all(row["grad_norm"] > 0 for row in dense)
    assert [row["kind"] for row in stuck] == ["saturated", "saturated"]
    assert len(state["points"]["train"]) + len(state["points"]["test"]) == 120
    json.dumps(state, allow_nan=False)              # what the server sends must be strict JSON


def test_too_high_an_lr_fires_the_hint_that_names_it():
    s = session(dataset="moons", optimizer="sgd", lr=30.0, activation="tanh")
    s.step(10)
    hint = next(h for h in s.state()["hints"] if h["code"] == "lr_too_high")
    assert "lr 30.0 is too high, try 3.0" in hint["message"]


def test_a_non_finite_loss_stops_the_run_with_fits_message_and_the_lr_hint():
    s = session(dataset="moons", optimizer="sgd", lr=2.0)
    s.step(2)
    s.model.layers[0].W[0, 0] = np.nan              # what an exploding step leaves behind
    s.step(3)
    state = s.state()
    assert state["epoch"] == 2 and "loss became nan at epoch 3" in state["diverged"]
    assert "boundary" not in state                  # nothing to draw from non-finite weights
    assert [h["code"] for h in state["hints"]] == ["lr_too_high"]
    with pytest.raises(ValueError, match="diverged; press Reset"):
        s.step(1)
    assert "stopped: loss became nan" in s.code()


def test_model_file_loads_in_python(tmp_path):
    s = session(dataset="xor", hidden=[4], loss="bce")
    s.step(2)
    path = tmp_path / "m.npz"
    path.write_bytes(s.model_file())
    model = cr.load(path)
    np.testing.assert_array_equal(model.predict(s.X_test), s.model.predict(s.X_test))


@pytest.mark.parametrize("settings, message", [
    ({"dataset": "mnist"}, "dataset must be one of"),
    ({"hidden": [8] * 7}, "at most 6"),
    ({"hidden": [0]}, r"hidden\[0\] must be a whole number in \[1, 64\]"),
    ({"hidden": "8,8"}, "hidden must be a list"),
    ({"lr": 0}, r"lr must be a number in \[1e-06, 100\]"),
    ({"lr": "fast"}, "lr must be a number"),
    ({"n_samples": 10 ** 6}, r"n_samples must be a whole number in \[20, 2000\]"),
    ({"batch_size": 2.5}, "batch_size must be a whole number"),
    ({"dropout": 1.0}, "dropout must be a number"),
    ({"learning_rate": 0.1}, "unknown setting 'learning_rate'"),
    ({"loss": "bce", "dataset": "spirals"}, "needs two classes"),
])
def test_bad_settings_are_refused_with_the_setting_and_range(settings, message):
    with pytest.raises(ValueError, match=message):
        session(**settings)


def test_steps_per_request_are_bounded():
    s = session()
    with pytest.raises(ValueError, match=r"epochs must be a whole number in \[1, 50\]"):
        s.step(LIMITS["max_epochs_per_step"] + 1)


# -- the HTTP API ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server():
    srv = PlaygroundServer("127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def call(server, method, path, body=None, headers=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(server.url.rstrip("/") + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_api_start_step_state_reset_and_downloads(server, tmp_path):
    status, _, body = call(server, "POST", "/api/sessions", {"settings": {"dataset": "circles", "hidden": [6]}})
    assert status == 201
    key = json.loads(body)["id"]
    status, _, body = call(server, "POST", f"/api/sessions/{key}/step", {"epochs": 3})
    assert status == 200 and json.loads(body)["state"]["epoch"] == 3
    status, _, body = call(server, "GET", f"/api/sessions/{key}")
    state = json.loads(body)["state"]
    assert state["epoch"] == 3 and "points" in state
    status, _, body = call(server, "POST", f"/api/sessions/{key}/lr", {"lr": 0.5})
    assert status == 200 and json.loads(body)["state"]["lr"] == 0.5
    status, headers, body = call(server, "GET", f"/api/sessions/{key}/model.npz")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    (tmp_path / "m.npz").write_bytes(body)
    assert cr.load(tmp_path / "m.npz").count_params() == 2 * 6 + 6 + 6 * 2 + 2
    status, _, body = call(server, "GET", f"/api/sessions/{key}/code")
    assert status == 200 and b"make_circles" in body
    status, _, body = call(server, "POST", f"/api/sessions/{key}/reset")
    assert status == 200 and json.loads(body)["state"]["epoch"] == 0


def test_api_sessions_are_isolated(server):
    keys = [json.loads(call(server, "POST", "/api/sessions", {"settings": {"seed": seed}})[2])["id"] for seed in (1, 2)]
    call(server, "POST", f"/api/sessions/{keys[0]}/step", {"epochs": 5})
    states = [json.loads(call(server, "GET", f"/api/sessions/{key}")[2])["state"] for key in keys]
    assert [s["epoch"] for s in states] == [5, 0]
    assert states[0]["settings"]["seed"] == 1 and states[1]["settings"]["seed"] == 2


@pytest.mark.parametrize("method, path, body, status, message", [
    ("POST", "/api/sessions", {"settings": {"lr": -1}}, 400, "lr must be a number"),
    ("POST", "/api/sessions", b"{not json", 400, "not JSON"),
    ("POST", "/api/sessions", [1, 2], 400, "JSON object"),
    ("POST", "/api/sessions", b"x" * 70_000, 413, "over 65536 bytes"),
    ("GET", "/api/sessions/AAAAAAAAAAAAAAAA", None, 404, "unknown or expired session"),
    ("GET", "/../../etc/passwd", None, 404, "no such page"),
    ("GET", "/static/session.py", None, 404, "no such page"),
])
def test_api_bad_requests_get_a_status_and_a_message(server, method, path, body, status, message):
    got, _, payload = call(server, method, path, body)
    assert got == status
    assert message in json.loads(payload)["error"]


def test_api_bad_step_and_foreign_host(server):
    key = json.loads(call(server, "POST", "/api/sessions", {})[2])["id"]
    status, _, body = call(server, "POST", f"/api/sessions/{key}/step", {"epochs": 10 ** 6})
    assert status == 400 and "epochs must be a whole number in [1, 50]" in json.loads(body)["error"]
    status, _, body = call(server, "GET", "/api/limits", headers={"Host": "attacker.example"})
    assert status == 403


def test_page_and_assets_are_served_by_the_package(server):
    for path, kind in [("/", "text/html"), ("/static/app.js", "text/javascript"), ("/static/style.css", "text/css")]:
        status, headers, body = call(server, "GET", path)
        assert status == 200 and headers["Content-Type"].startswith(kind) and body
    _, _, page = call(server, "GET", "/")
    assert b"http://" not in page and b"https://" not in page          # no CDN: every asset is local


def test_cli_playground_help_lists_its_options():
    import contextlib
    from chainrule import cli
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        cli.main(["playground", "--help"])
    assert "--no-browser" in out.getvalue() and "127.0.0.1" in out.getvalue()


def test_cli_playground_on_a_busy_port_exits_1_with_the_fix(server):
    import subprocess
    import sys
    from test_cli import cli_env
    port = server.server_address[1]
    result = subprocess.run([sys.executable, "-m", "chainrule", "playground", "--port", str(port), "--no-browser"],
                            env=cli_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}" in result.stderr and "--port 0" in result.stderr
