"""Fixtures for the core's tests: fake plugins in-process, fake videos, and a throwaway venv
with clipora-core plus test distributions installed through their entry points."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from core_support import DISTS, EXAMPLE, FAKE_CONFIG, REPO, SEGMENTS, Venv


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No CLIPORA_* variable or per-user config file of the developer leaks into a test."""
    for name in list(os.environ):
        if name.startswith("CLIPORA_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.fixture
def fakes(register_plugin: Callable[..., Any]) -> Any:
    """The fake plugins registered on this test's host; returns the host."""
    import clipora_test_fakes.plugin

    return register_plugin(
        clipora_test_fakes.plugin,
        name="fakes",
        distribution="clipora-test-fakes",
        version="0.0.1",
    )


@pytest.fixture
def fake_video(tmp_path: Path) -> Path:
    from clipora_test_fakes.impl import write_fake_video

    return write_fake_video(tmp_path / "show.json", SEGMENTS)


@pytest.fixture
def fake_config(clipora_config: Callable[..., Path]) -> Callable[..., Path]:
    """``fake_config(**dotted)``: a config file choosing the fake capabilities, plus overrides."""

    def make(**overrides: Any) -> Path:
        return clipora_config(**{**FAKE_CONFIG, **overrides})

    return make


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        pytest.fail("uv is needed to build the throwaway plugin venv (pip install uv)")
    return uv


@pytest.fixture(scope="session")
def core_venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """clipora-core (editable) plus the fake, broken and example plugins, installed for real
    (wheels built from their folders, found through their ``clipora`` entry points). The
    workspace's own .venv is never touched."""
    root = tmp_path_factory.mktemp("core-venv")
    venv = Venv(root / "venv", root / "home")
    uv = _uv()
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run(
        [uv, "venv", "-q", "--python", sys.executable, str(venv.path)],
        check=True,
        env=env,
        cwd=root,
    )
    install = [
        uv,
        "pip",
        "install",
        "-q",
        "--python",
        str(venv.python),
        "-e",
        str(REPO / "clipora_core"),
        str(DISTS / "clipora-test-fakes"),
        str(DISTS / "clipora-test-broken"),
        str(EXAMPLE),
        "pytest",  # to run the example plugin's own tests
    ]
    # From uv's cache when it has everything (fast, no network); else from the index.
    if subprocess.run([*install, "--offline"], env=env, cwd=root, capture_output=True).returncode:
        subprocess.run(install, check=True, env=env, cwd=root)
    return venv
