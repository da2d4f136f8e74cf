"""The hooks a Clipora plugin can implement.

Every hook is named ``register_<thing>`` and receives a ``register`` callback (the pattern of
``llm`` and ``datasette``), so a plugin can register several things and the host can check and
annotate each registration. Capabilities are *descriptions* plus a lazy ``factory`` import path:
registering one imports nothing heavy, which keeps ``clipora --help`` and ``clipora plugins
list`` fast; the factory is imported only when a stage actually uses it.

Plugins publish themselves through the ``clipora`` entry-point group::

    [project.entry-points.clipora]
    my_plugin = "my_package.plugin"

and implement hooks with ``clipora_core.hookimpl``. The documentation of each hook, with an
example, is in ``docs/plugins.md``; a test checks that every hook here is documented there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

from clipora_core.capabilities import Capability, ConfigDefault, ConfigSection, InstallHint

if TYPE_CHECKING:
    import click

#: What ``register_<kind>s`` hooks receive: call it with each Capability.
CapabilityRegistrar = Callable[[Capability], None]
#: What ``register_config_sections`` receives.
SectionRegistrar = Callable[[ConfigSection], None]
#: What ``register_install_hints`` receives.
HintRegistrar = Callable[[InstallHint], None]
#: What ``register_defaults`` receives.
DefaultRegistrar = Callable[[ConfigDefault], None]

PROJECT = "clipora"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_asr_backends(register: CapabilityRegistrar) -> None:
    """Register speech-to-text backends.

    Call ``register(Capability(kind="asr", name=..., factory="pkg.mod:Factory", ...))``. Every
    factory is called as ``factory(options, runtime)``: the config section the capability names
    in ``options`` and a ``PluginRuntime``. This one returns an object with
    ``transcribe(request: ASRRequest) -> Transcript``. Chosen by ``asr.mode``.
    """


@hookspec
def register_cleaners(register: CapabilityRegistrar) -> None:
    """Register source cleaners (e.g. frozen-video removal).

    Factory result: ``clean(request: CleanRequest) -> CleanResult``. Run in the order of
    ``cleaning.cleaners`` when ``cleaning.enabled``.
    """


@hookspec
def register_video_types(register: CapabilityRegistrar) -> None:
    """Register video-type analyzers (what a kind of recording is cut into clips by).

    Factory result: an object with ``discover``, ``cluster`` and ``analyze_item`` (see
    ``clipora_core.capabilities.VideoTypeAnalyzer``). Chosen by ``analysis.video_type``.
    """


@hookspec
def register_subtitle_writers(register: CapabilityRegistrar) -> None:
    """Register subtitle formats (``srt``, ``vtt``, ``ass``...).

    Factory result: ``write(request: SubtitleRequest) -> Path | None``. Chosen by
    ``render_subtitles.formats``; the writer of the renderer's ``burn_in_format`` also feeds
    burn-in.
    """


@hookspec
def register_renderers(register: CapabilityRegistrar) -> None:
    """Register clip renderers.

    Factory result: ``render(request: RenderRequest) -> RenderOutput``. Chosen by
    ``render.renderer``.
    """


@hookspec
def register_probers(register: CapabilityRegistrar) -> None:
    """Register media probers used by the inspect stage.

    Factory result: ``probe(path) -> MediaProbe`` and ``prepare(path, workdir) -> Path`` (remux
    to a seekable file when the container needs it). Chosen by ``inspect.prober``.
    """


@hookspec
def register_presence_detectors(register: CapabilityRegistrar) -> None:
    """Register host-presence detectors.

    Factory result: ``detect(request: PresenceRequest) -> list[PresenceSample]``. Chosen by
    ``analysis.pose_presence.detector`` when ``analysis.pose_presence.enabled``.
    """


@hookspec
def register_executors(register: CapabilityRegistrar) -> None:
    """Register executors: where ``clipora batch`` (and a long recording's clip renders) run.

    Factory result: an ``Executor`` (``submit(unit: WorkUnit) -> Future[UnitResult]``,
    ``cpus()``, optional ``check_shared(paths)`` and ``close()``). Chosen by
    ``batch.executor`` or ``clipora batch --executor``.
    """


@hookspec
def register_exporters(register: CapabilityRegistrar) -> None:
    """Register export formats: a job's clips as files an editor opens (timelines, EDLs).

    Factory result: ``export(request: ExportRequest) -> list[Path]``. Chosen by
    ``clipora export <job> --format NAME``.
    """


@hookspec
def register_config_sections(register: SectionRegistrar) -> None:
    """Register a pydantic model for the plugin's own config section.

    ``register(ConfigSection(path="asr.mycloud", model=MyCloudSettings))``, at a path of the
    plugin's own (never a kernel section's or another plugin's): the section appears
    in the YAML file, environment variables (``CLIPORA_ASR__MYCLOUD__*``), ``config show`` and
    ``config init``, and is validated by the plugin's model (unknown keys are errors). Each
    field's ``description=`` is its help; ``json_schema_extra={"description_zh": "..."}`` gives
    the Chinese help the web settings page shows in 简体中文.
    """


@hookspec
def register_defaults(register: DefaultRegistrar) -> None:
    """Choose this plugin's capability where the config chooses none.

    ``register(ConfigDefault(path="asr.mode", value="mycloud"))``. The kernel's settings that name
    a capability (``inspect.prober``, ``cleaning.cleaners``, ``asr.mode``,
    ``analysis.video_type``, ``analysis.pose_presence.detector``, ``render.renderer``) ship
    empty; what the installed plugins register here is their default, shown by ``config show``
    and ``config init``. When two plugins give different defaults for one key, the first plugin
    in name order wins.
    """


@hookspec
def register_install_hints(register: HintRegistrar) -> None:
    """Name the distribution of a capability this plugin works with but does not provide.

    ``register(InstallHint(kind="presence_detector", name="posenet",
    distribution="clipora-presence-posenet"))``: when config names it and it is not
    installed, the error says what to install. The kernel itself names no plugin.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add subcommands to the ``clipora`` command line (``@cli.command()``)."""
