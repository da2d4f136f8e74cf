"""What a capability's factory receives: its own options section and a small runtime, never the
whole configuration. Checked on the kernel with a recording plugin, and on every installed
first-party capability by the shape of its factory."""

from __future__ import annotations

import inspect
import threading
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest
from clipora_core.api import (
    Capability,
    ConfigSection,
    PluginRuntime,
    Prober,
    Section,
    StageError,
    hookimpl,
)
from clipora_core.capabilities import Kind
from clipora_core.config import load_config
from clipora_core.plugins import get_host, options_for
from pydantic import Field

SEEN: list[tuple[Any, Any]] = []


class SpyOptions(Section):
    level: int = Field(1, description="Anything")


class SpyProber(Prober):
    def __init__(self, options: SpyOptions | None = None, runtime: Any = None) -> None:
        SEEN.append((options, runtime))

    def probe(self, path: Path) -> Any:
        raise AssertionError("never called")


class Spy:
    @hookimpl
    def register_probers(self, register: Any) -> None:
        register(
            Capability(
                kind=Kind.PROBER,
                name="spy",
                description="records what its factory gets",
                factory=f"{__name__}:SpyProber",
                options="inspect.spy",
            )
        )
        register(
            Capability(
                kind=Kind.PROBER,
                name="spy_bare",
                description="asks for no options",
                factory=f"{__name__}:SpyProber",
            )
        )

    @hookimpl
    def register_config_sections(self, register: Any) -> None:
        register(ConfigSection(path="inspect.spy", model=SpyOptions))


def test_the_factory_gets_its_section_and_a_runtime(register_plugin: Any, tmp_path: Path) -> None:
    host = register_plugin(Spy(), name="spy")
    wrapper = tmp_path / "my ffmpeg"
    wrapper.write_text(f'#!/bin/sh\nexec "{imageio_ffmpeg.get_ffmpeg_exe()}" "$@"\n')
    wrapper.chmod(0o755)
    settings = load_config(
        environ={},
        overrides={"inspect.spy.level": 3, "media.ffmpeg_path": str(wrapper)},
        sections=host.config_sections(),
    ).settings
    SEEN.clear()
    host.create(Kind.PROBER, "spy", settings)
    host.create(Kind.PROBER, "spy_bare", settings)
    (options, runtime), (bare, _) = SEEN
    assert isinstance(options, SpyOptions) and options.level == 3
    assert not hasattr(options, "media") and not hasattr(options, "asr")
    assert bare is None
    assert isinstance(runtime, PluginRuntime)
    assert runtime.ffmpeg == str(wrapper)  # media.ffmpeg_path, honoured for every plugin
    assert isinstance(runtime.cancel, threading.Event) and not runtime.cancelled()
    assert runtime.workdir == Path(settings.paths.workdir)


def test_a_bad_ffmpeg_path_is_one_clear_error(register_plugin: Any, tmp_path: Path) -> None:
    host = register_plugin(Spy(), name="spy")
    settings = load_config(
        environ={},
        overrides={"media.ffmpeg_path": str(tmp_path / "nope")},
        sections=host.config_sections(),
    ).settings
    SEEN.clear()
    host.create(Kind.PROBER, "spy", settings)
    runtime = SEEN[0][1]
    with pytest.raises(StageError) as info:
        _ = runtime.ffmpeg
    assert "media.ffmpeg_path" in info.value.one_line() and "nope" in info.value.one_line()


def _installed() -> list[Capability]:
    return [c for c in get_host().capabilities() if c.distribution.startswith("clipora")]


@pytest.mark.parametrize("cap", _installed(), ids=lambda c: f"{c.kind.value}:{c.name}")
def test_first_party_factories_take_options_and_runtime(cap: Capability) -> None:
    params = list(inspect.signature(cap.load()).parameters)
    assert params[:2] == ["options", "runtime"], f"{cap.factory} takes {params}"
    if cap.options is not None:
        # Its own section, or (for a kernel concern such as the prober's remux list) a kernel one.
        settings = load_config(environ={}, sections=get_host().config_sections()).settings
        assert isinstance(options_for(cap, settings), Section)
