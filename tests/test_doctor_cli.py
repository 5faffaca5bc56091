"""``chainrule doctor``, run for real: text and JSON reports, exit codes, time limits."""

import json
import subprocess
import sys
import textwrap

from test_cli import cli_env

GOOD = textwrap.dedent('''
    import numpy as np

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def propagate(w, b, X, Y):
        m = X.shape[1]
        A = sigmoid(np.dot(w.T, X) + b)
        cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
        dw = np.dot(X, (A - Y).T) / m
        db = np.sum(A - Y) / m
        return {"dw": dw, "db": db}, cost

    print("the course's test:", propagate(np.array([[1], [2]]), 2, np.array([[1, 2], [3, 4]]), np.array([[1, 0]])))
''')
BAD = GOOD.replace("A = sigmoid(np.dot(w.T, X) + b)", "A = sigmoid(X)")


def doctor(*args, cwd):
    return subprocess.run([sys.executable, "-m", "chainrule", "doctor", *map(str, args)], cwd=cwd, env=cli_env(),
                          capture_output=True, text=True, timeout=300)


def test_a_correct_file_exits_0_with_ok_per_function(tmp_path):
    (tmp_path / "good.py").write_text(GOOD)
    result = doctor("good.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sigmoid: OK" in result.stdout and "propagate: OK" in result.stdout
    assert "the course's test" not in result.stdout          # the learner's prints stay out of the report


def test_seed_000s_mistake_exits_1_with_line_kind_and_fix(tmp_path):
    (tmp_path / "bad.py").write_text(BAD)
    result = doctor("bad.py", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    line = BAD.splitlines().index("    A = sigmoid(X)") + 1
    assert f"at line {line}" in result.stdout and "A = sigmoid(X)" in result.stdout
    assert "Fix: A = sigmoid(np.dot(w.T, X) + b)" in result.stdout


def test_json_report_has_the_documented_fields(tmp_path):
    (tmp_path / "bad.py").write_text(BAD)
    result = doctor("bad.py", "--json", cwd=tmp_path)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    (finding,) = document["findings"]
    assert set(finding) == {"function", "param", "kind", "line", "cell", "message"}
    assert finding["function"] == "propagate" and finding["cell"] is None
    (tmp_path / "good.py").write_text(GOOD)
    assert json.loads(doctor("good.py", "--json", cwd=tmp_path).stdout) == {"findings": [], "ok": True}


def test_function_filter_and_usage_errors(tmp_path):
    (tmp_path / "bad.py").write_text(BAD)
    result = doctor("bad.py", "--function", "sigmoid", cwd=tmp_path)
    assert result.returncode == 0 and "propagate" not in result.stdout
    result = doctor("bad.py", "--function", "propgate", cwd=tmp_path)
    assert result.returncode == 2 and "Did you mean 'propagate'" in result.stderr
    result = doctor("missing.py", cwd=tmp_path)
    assert result.returncode == 2 and "no such file" in result.stderr
    (tmp_path / "notes.txt").write_text("x")
    assert doctor("notes.txt", cwd=tmp_path).returncode == 2
    assert doctor(cwd=tmp_path).returncode == 2


def test_a_file_python_cannot_read_is_a_finding_with_its_line(tmp_path):
    (tmp_path / "broken.py").write_text("import numpy as np\n\ndef propagate(w, b, X, Y):\n    A =\n")
    result = doctor("broken.py", "--json", cwd=tmp_path)
    assert result.returncode == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["kind"] == "exception" and finding["line"] == 4 and "cannot read" in finding["message"]


def test_a_file_that_never_finishes_is_stopped(tmp_path):
    (tmp_path / "slow.py").write_text(GOOD + "\nimport time\ntime.sleep(600)\n")
    result = doctor("slow.py", "--timeout", "4", cwd=tmp_path)
    assert result.returncode == 1
    assert "did not finish within 4 s" in result.stdout
