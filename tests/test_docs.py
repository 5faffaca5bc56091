"""Every example in docs/ runs (issue 15): each page's Python blocks in order in one namespace, its
``chainrule`` command lines for real, and a ``text`` block after a command is that command's output."""

import importlib.util
import re
import shlex
import subprocess
import sys

import pytest

from _paths import REPO
from test_cli import cli_env
from test_readme import commands

DOCS = REPO / "docs"
#: page -> the optional packages its examples import
PAGES = {"sklearn.md": ["sklearn"], "onnx.md": ["onnx", "onnxruntime"], "dask.md": ["sklearn", "distributed"],
         "out_of_core.md": []}
#: pages generated from a test and checked against it there, with no example to run
GENERATED = {"bad_inputs.md": "tests/test_bad_inputs.py"}


def blocks(page):
    return re.findall(r"```(\w+)\n(.*?)```", (DOCS / page).read_text(encoding="utf-8"), flags=re.S)


def test_every_page_is_tested_and_has_a_python_example():
    assert {p.name for p in DOCS.glob("*.md")} == set(PAGES) | set(GENERATED)
    for page in PAGES:
        assert any(language == "python" for language, _ in blocks(page)), page


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_examples_of_each_page_run(page, tmp_path, monkeypatch):
    for module in PAGES[page]:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"docs/{page} needs {module}: pip install 'chainrule[{page.split('.')[0]}]'")
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__main__"}              # the page read as a script
    last_output = None
    for language, code in blocks(page):
        if language == "python":
            exec(compile(code, f"docs/{page}", "exec"), namespace)
        elif language == "bash":
            for line in commands(code):
                result = subprocess.run([sys.executable, "-m", "chainrule", *shlex.split(line)[1:]], cwd=tmp_path,
                                        env=cli_env(), capture_output=True, text=True, timeout=300)
                assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
                last_output = result.stdout
        elif language == "text" and last_output is not None:
            assert code.strip() in last_output
            last_output = None
