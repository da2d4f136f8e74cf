"""pytest plugin for Clipora and its plugin authors (auto-loaded through the ``pytest11`` entry
point when clipora-core is installed).

Fixtures:

``clipora_host``
    A fresh ``PluginHost`` with every installed entry point loaded, set as the process host for
    the test and restored afterwards.
``register_plugin``
    ``register_plugin(obj, name="x")`` registers a throwaway plugin object (a class or module
    with ``@hookimpl`` functions) on ``clipora_host`` and unregisters it after the test.
``clipora_config``
    ``clipora_config(**dotted_overrides)`` writes a YAML config with ``paths.workdir`` in the
    test's tmp folder and returns its path.
``make_job``
    ``make_job(video_path)`` creates a job workspace for a video under that workdir.
``cli_run``
    ``cli_run(*args)`` runs the real ``clipora`` CLI in-process (click's runner) and returns the
    result (``exit_code``, ``stdout``, ``stderr``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def clipora_host() -> Iterator[Any]:
    from clipora_core import plugins

    previous = plugins._host
    host = plugins.PluginHost()
    host.load_entrypoints()
    plugins.set_host(host)
    try:
        yield host
    finally:
        plugins.set_host(previous)


@pytest.fixture
def register_plugin(clipora_host: Any) -> Iterator[Callable[..., Any]]:
    names: list[str] = []

    def register(obj: object, name: str = "test-plugin", **kw: str) -> Any:
        clipora_host.register_plugin(obj, name=name, **kw)
        names.append(name)
        return clipora_host

    yield register
    for name in names:
        clipora_host.unregister_plugin(name)


@pytest.fixture
def clipora_workdir(tmp_path: Path) -> Path:
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    return workdir


@pytest.fixture
def clipora_config(tmp_path: Path, clipora_workdir: Path) -> Callable[..., Path]:
    import yaml

    def make(**overrides: Any) -> Path:
        data: dict[str, Any] = {"paths": {"workdir": str(clipora_workdir)}}
        for dotted, value in overrides.items():
            target = data
            parts = dotted.split("__") if "__" in dotted else dotted.split(".")
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value
        path = tmp_path / "clipora.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path

    return make


@pytest.fixture
def make_job(clipora_workdir: Path) -> Callable[[Path], Any]:
    from clipora_core.workspace import JobWorkspace

    def make(video: Path) -> Any:
        return JobWorkspace.create(clipora_workdir, Path(video))

    return make


@pytest.fixture
def cli_run() -> Callable[..., Any]:
    from click.testing import CliRunner

    from clipora_core.cli import build_cli

    def run(*args: str, env: dict[str, str] | None = None) -> Any:
        runner = CliRunner()
        return runner.invoke(build_cli(), [str(a) for a in args], env=env, catch_exceptions=False)

    return run
