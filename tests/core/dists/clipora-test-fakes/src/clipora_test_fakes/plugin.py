"""Entry point of the fake plugins: one capability per hook, a config section and a command.

A "video" for these fakes is a JSON file (see ``impl.write_fake_video``) holding a duration and
the transcript segments the fake ASR returns, so the core's stages run in milliseconds.
"""

from __future__ import annotations

from typing import Any

from clipora_core import Capability, ConfigSection, InstallHint, Kind, hookimpl

PKG = "clipora_test_fakes.impl"


@hookimpl
def register_probers(register: Any) -> None:
    register(
        Capability(
            kind=Kind.PROBER,
            name="fake",
            description="Reads a JSON 'video'",
            factory=f"{PKG}:FakeProber",
            options="fakes",
            formats=["json"],
        )
    )


@hookimpl
def register_asr_backends(register: Any) -> None:
    register(
        Capability(
            kind=Kind.ASR,
            name="fake",
            description="Returns the segments stored in the JSON 'video'",
            factory=f"{PKG}:FakeASR",
            options="fakes",
            languages=["en"],
            needs_network=True,
            needs_credentials=True,
            config_keys=["fakes.asr.uppercase"],
            # It reads its JSON "recording" and maps times through request.time_map itself.
            features={"kept_audio": False},
        )
    )


@hookimpl
def register_executors(register: Any) -> None:
    register(
        Capability(
            kind=Kind.EXECUTOR,
            name="fake_threads",
            description="Threads of this process",
            factory=f"{PKG}:FakeThreadExecutor",
        )
    )


@hookimpl
def register_exporters(register: Any) -> None:
    register(
        Capability(
            kind=Kind.EXPORTER,
            name="fake_cuts",
            description="Cuts as JSON",
            factory=f"{PKG}:FakeExporter",
        )
    )


@hookimpl
def register_cleaners(register: Any) -> None:
    register(
        Capability(
            kind=Kind.CLEANER,
            name="fake_trim",
            description="Keeps everything",
            factory=f"{PKG}:FakeCleaner",
            options="fakes",
        )
    )


@hookimpl
def register_video_types(register: Any) -> None:
    register(
        Capability(
            kind=Kind.VIDEO_TYPE,
            name="fake_vt",
            description="One item per N transcript segments",
            factory=f"{PKG}:FakeVideoType",
            options="fakes",
            # "stage:key" scopes a key to one stage (later stages follow through their inputs).
            config_keys=[
                "semantic_discover:fakes.vt.segments_per_item",
                "analyze:fakes.vt.clip_title",
                "analyze:fakes.vt.body_seconds",
            ],
        )
    )
    register(
        Capability(
            kind=Kind.VIDEO_TYPE,
            name="duck_vt",
            description="Has the methods but not the interface (an error)",
            factory=f"{PKG}:DuckVideoType",
            options="fakes",
        )
    )


@hookimpl
def register_subtitle_writers(register: Any) -> None:
    register(
        Capability(
            kind=Kind.SUBTITLE_WRITER,
            name="faketxt",
            description="Plain text of the clip's speech",
            factory=f"{PKG}:FakeTextWriter",
            options="fakes",
            formats=["txt"],
        )
    )


@hookimpl
def register_renderers(register: Any) -> None:
    register(
        Capability(
            kind=Kind.RENDERER,
            name="fake",
            description="Writes the clip's windows as JSON",
            factory=f"{PKG}:FakeRenderer",
            options="fakes",
            formats=["json"],
            devices=["cpu", "cuda"],
        )
    )


@hookimpl
def register_presence_detectors(register: Any) -> None:
    register(
        Capability(
            kind=Kind.PRESENCE_DETECTOR,
            name="fake_presence",
            description="Sees the host at every window start",
            factory=f"{PKG}:FakePresence",
            options="fakes",
        )
    )


@hookimpl
def register_install_hints(register: Any) -> None:
    # What a plugin that works with others says about them: the kernel names no plugin.
    register(InstallHint(kind=Kind.RENDERER, name="ffmpeg", distribution="clipora-render-ffmpeg"))
    register(InstallHint(kind=Kind.PROBER, name="pyav", distribution="clipora-render-ffmpeg"))
    register(
        InstallHint(
            kind=Kind.VIDEO_TYPE, name="live_commerce", distribution="clipora-live-commerce"
        )
    )


@hookimpl
def register_config_sections(register: Any) -> None:
    from clipora_test_fakes.settings import FakeASRSettings, FakeSettings, FakeVideoTypeSettings

    register(ConfigSection(path="fakes", model=FakeSettings))
    register(ConfigSection(path="fakes.asr", model=FakeASRSettings))
    register(ConfigSection(path="fakes.vt", model=FakeVideoTypeSettings))


@hookimpl
def register_commands(cli: Any) -> None:
    import click

    @cli.command("fakes-hello")
    @click.argument("name", default="world")
    def fakes_hello(name: str) -> None:
        """Say hello (a command contributed by a plugin)."""
        click.echo(f"hello {name} from clipora-test-fakes")
