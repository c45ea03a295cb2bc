"""The notebook harness bites: a changed number in a checked cell fails, rich outputs and unchecked cells don't."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]


def notebook(stored_number: str, stored_html: str, check: bool = True):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    marker = "# NBVAL_CHECK_OUTPUT\n" if check else ""
    printed = nbformat.v4.new_code_cell(marker + "print(6 * 7)", execution_count=1)
    printed.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{stored_number}\n")]
    rich = nbformat.v4.new_code_cell(
        "# NBVAL_CHECK_OUTPUT\nfrom IPython.display import HTML\nHTML('<b>42</b>')", execution_count=2
    )
    rich.outputs = [
        nbformat.v4.new_output(
            "execute_result", data={"text/html": stored_html, "text/plain": "<IPython.core.display.HTML object>"},
            execution_count=2,
        )
    ]
    nb.cells = [printed, rich]
    return nb


def run_nbval(tmp_path: Path, nb) -> subprocess.CompletedProcess:
    shutil.copy(REPO / "conftest.py", tmp_path / "conftest.py")
    nbformat.write(nb, tmp_path / "probe.ipynb")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-current-env", "--nbval-sanitize-with", str(REPO / "tests" / "nbval_sanitize.cfg"),
         "--rootdir", str(tmp_path), str(tmp_path / "probe.ipynb")],
        capture_output=True, text=True, cwd=tmp_path, timeout=240,
    )


@pytest.mark.parametrize(
    "stored, html, check, passes",
    [
        ("42", "<b>42</b>", True, True),  # stored output matches
        ("41", "<b>42</b>", True, False),  # a changed printed number in a checked cell fails
        ("41", "<b>42</b>", False, True),  # an unchecked cell is only run, not compared
        ("42", "<i>different html</i>", True, True),  # HTML is excluded from comparison
    ],
)
def test_nbval_compares_checked_printed_output(tmp_path, stored, html, check, passes):
    result = run_nbval(tmp_path, notebook(stored, html, check))
    assert (result.returncode == 0) is passes, result.stdout[-3000:]
