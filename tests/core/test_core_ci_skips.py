"""Under CI=true a skipped test fails, unless it is marked as a skip the machine may force."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SUITE_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"

TESTS = """
import pytest

def test_needs_a_tool():
    pytest.skip("espeak-ng is not installed")

@pytest.mark.may_skip_in_ci
def test_depends_on_the_machine():
    pytest.skip("running as root")

def test_runs():
    assert True
"""


def _run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    shutil.copyfile(SUITE_CONFTEST, tmp_path / "conftest.py")
    (tmp_path / "test_some.py").write_text(TESTS)
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    may_skip_in_ci: allowed\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )


def test_a_skip_fails_under_ci(tmp_path: Path) -> None:
    res = _run(tmp_path, "true")
    assert res.returncode == 1, res.stdout
    assert "1 failed, 1 passed, 1 skipped" in res.stdout
    assert "skipped under CI=true" in res.stdout and "espeak-ng is not installed" in res.stdout


def test_outside_ci_a_skip_is_a_skip(tmp_path: Path) -> None:
    res = _run(tmp_path, None)
    assert res.returncode == 0, res.stdout
    assert "1 passed, 2 skipped" in res.stdout
