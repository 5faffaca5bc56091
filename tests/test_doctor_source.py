"""Reading a learner's .py or .ipynb and running it statement by statement (chainrule.doctor.source)."""

import json

import pytest

from chainrule.doctor.source import execute, read


def notebook(path, cells):
    document = {"cells": [{"cell_type": kind, "metadata": {}, "source": text.splitlines(True),
                           **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                          for kind, text in cells],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(document))
    return path


def test_notebook_lines_map_back_to_cell_and_line(tmp_path):
    path = notebook(tmp_path / "n.ipynb", [
        ("markdown", "# Title"),
        ("code", "%matplotlib inline\nimport numpy as np\n!pip install numpy"),
        ("code", "def f(x):\n    return x + 1\n"),
    ])
    source = read(path)
    program = source.text.splitlines()
    line = program.index("    return x + 1") + 1
    assert source.locate(line) == (2, 3)
    assert source.locate(program.index("import numpy as np") + 1) == (2, 2)
    assert "%matplotlib" not in source.text and "!pip" not in source.text
    namespace = execute(source)
    assert namespace["f"](1) == 2


def test_a_cell_with_a_syntax_error_is_skipped_and_reported(tmp_path):
    path = notebook(tmp_path / "n.ipynb", [("code", "def f(:\n"), ("code", "def g():\n    return 3\n"),
                                           ("code", "%%time\nx = 1\n")])
    source = read(path)
    namespace = execute(source)
    assert namespace["g"]() == 3 and "x" not in namespace
    assert any("cell 1 has a syntax error" in message for _, message in source.problems)


def test_statements_that_raise_read_input_or_hang_are_skipped(tmp_path):
    path = tmp_path / "learner.py"
    path.write_text("import numpy as np\n"
                    "def f():\n    return 1\n"
                    "raise RuntimeError('boom')\n"
                    "name = input('your name? ')\n"
                    "while True:\n    pass\n"
                    "print('lots of output ' * 1000)\n"
                    "def g():\n    return 2\n")
    source = read(path)
    namespace = execute(source, statement_seconds=0.5)
    assert namespace["f"]() == 1 and namespace["g"]() == 2
    messages = dict(source.problems)
    assert "RuntimeError: boom" in messages[4]
    assert "input() is not available" in messages[5]
    assert "did not finish within 0.5 s" in messages[6]


def test_helper_modules_beside_the_file_import(tmp_path):
    (tmp_path / "planar_helpers.py").write_text("def helper():\n    return 42\n")
    path = tmp_path / "learner.py"
    path.write_text("from planar_helpers import helper\nvalue = helper()\n")
    assert execute(read(path))["value"] == 42


def test_unreadable_inputs_raise_clearly(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        read(tmp_path / "missing.py")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match=r"\.py files and \.ipynb"):
        read(tmp_path / "notes.txt")
    (tmp_path / "bad.ipynb").write_text("{not json")
    with pytest.raises(ValueError, match="not a Jupyter notebook"):
        read(tmp_path / "bad.ipynb")
    (tmp_path / "syntax.py").write_text("def f(:\n")
    source = read(tmp_path / "syntax.py")
    assert execute(source) == {} and source.syntax_error[0] == 1
