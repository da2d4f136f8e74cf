"""The plugin API: the one kernel module a plugin imports.

Everything a plugin needs from Clipora is named here, in three groups:

* **registering** (loaded eagerly, they are light): ``hookimpl``, ``Capability``,
  ``ConfigSection``, ``ConfigDefault``, ``InstallHint``, ``Kind`` and the registrar types the
  hooks receive;
* **doing the work**: the request and result types each capability kind exchanges with the
  kernel and the interfaces (``ASRBackend``, ``Cleaner``, ``Prober``, ``VideoTypeAnalyzer``,
  ``SubtitleWriter``, ``Renderer``, ``PresenceDetector``, ``Executor``, ``Exporter``), the on-disk contracts, the errors a
  user acts on, config sections, progress, ffmpeg, transcripts and time maps;
* **applications** built on the kernel (the web UI): config loading and editing, job
  workspaces, the plugin host and the CLI entry point.

The heavy names (pydantic models) are imported on first use, so a plugin's hook module that
imports this stays as cheap as ``clipora --help`` needs. Names not listed here are the kernel's
own and may change between releases.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from clipora_core.capabilities import Capability, ConfigDefault, ConfigSection, InstallHint, Kind
from clipora_core.hookspecs import (
    CapabilityRegistrar,
    DefaultRegistrar,
    HintRegistrar,
    SectionRegistrar,
    hookimpl,
)

_LAZY: dict[str, str] = {
    # requests, results and the interfaces each kind implements
    "ASRRequest": "capabilities",
    "ASRBackend": "capabilities",
    "CleanRequest": "capabilities",
    "CleanResult": "capabilities",
    "Cleaner": "capabilities",
    "Prober": "capabilities",
    "AnalyzerContext": "capabilities",
    "DiscoveryResult": "capabilities",
    "ClusterResult": "capabilities",
    "VideoTypeAnalyzer": "capabilities",
    "SubtitleStyle": "capabilities",
    "SubtitleRequest": "capabilities",
    "SubtitleWriter": "capabilities",
    "RenderRequest": "capabilities",
    "RenderOutput": "capabilities",
    "WindowFraming": "capabilities",
    "Renderer": "capabilities",
    "PresenceRequest": "capabilities",
    "PresenceDetector": "capabilities",
    "Executor": "capabilities",
    "ExportClip": "exporters",
    "ExportRequest": "exporters",
    "Exporter": "exporters",
    # on-disk contracts
    "Model": "contracts",
    "Document": "contracts",
    "MediaProbe": "contracts",
    "StreamInfo": "contracts",
    "TimeWindow": "contracts",
    "TimeMapEntry": "contracts",
    "RemovalInterval": "contracts",
    "CleaningSummary": "contracts",
    "Transcript": "contracts",
    "TranscriptSegment": "contracts",
    "TranscriptWord": "contracts",
    "DiscoveredInterval": "contracts",
    "SemanticItemInterval": "contracts",
    "SemanticItemSet": "contracts",
    "DroppedUnit": "contracts",
    "EditPlan": "contracts",
    "EditPlanSegment": "contracts",
    "ItemEditPlan": "contracts",
    "ExecutionArtifact": "contracts",
    "ExecutionResult": "contracts",
    "ClipScore": "contracts",
    "ScorePart": "contracts",
    "PresenceSample": "contracts",
    "PresenceReport": "contracts",
    "SubjectBox": "contracts",
    "SubjectSample": "contracts",
    "Product": "contracts",
    "ProductList": "contracts",
    "Resources": "contracts",
    "WorkUnit": "contracts",
    "UnitResult": "contracts",
    "utc_now": "contracts",
    "first_error": "contracts",
    # errors a user can act on
    "CliporaError": "errors",
    "ConfigError": "errors",
    "InputError": "errors",
    "StageError": "errors",
    "UsageError": "errors",
    "WorkerLost": "errors",
    "DISK_ERRORS": "errors",
    "DISK_HINT": "errors",
    # config sections, progress, files, media, transcripts, time maps
    "Section": "settings",
    "StageProgress": "progress",
    "close_job_logger": "progress",
    "read_json": "fileio",
    "write_json": "fileio",
    "atomic_write_text": "fileio",
    "ffmpeg_exe": "media",
    "Media": "media",
    "FFmpegError": "media",
    "PluginRuntime": "runtime",
    "trim_heap": "memory",
    "RawSegment": "transcripts",
    "RawWord": "transcripts",
    "normalize_segments": "transcripts",
    "presence_windows": "timeline",
    "to_effective_time": "timeline",
    "to_original_windows": "timeline",
    "to_original_time": "timeline",
    "run_unit": "units",
    "clip_thumbnail": "thumbnails",
    "clip_thumbnails": "thumbnails",
    "thumbnail_path": "thumbnails",
    "best_first": "ranking",
    "recording_entry": "batch_report",
    # applications built on the kernel
    "load_config": "config",
    "build_settings_model": "config",
    "default_config_path": "config",
    "field_at": "config",
    "env_overrides": "config",
    "flatten": "config",
    "is_secret": "config",
    "iter_fields": "config",
    "read_config_file": "config",
    "set_dotted": "config",
    "load_products": "products",
    "PRODUCT_SUFFIXES": "products:SUFFIXES",
    "STAGES": "workspace",
    "PRODUCTS_FILE": "workspace",
    "JobWorkspace": "workspace",
    "JobManifest": "workspace",
    "StageState": "workspace",
    "get_host": "plugins",
    "Review": "review",
    "ReviewState": "review",
    "ReviewEdit": "review_models",
    "awaiting_review": "review",
    "cli_main": "cli:main",
    "core_version": ":__version__",
}


def __getattr__(name: str) -> Any:
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"clipora_core.api has no {name!r}")
    module, _, attr = where.partition(":")
    value = getattr(importlib.import_module(f"clipora_core.{module}".rstrip(".")), attr or name)
    globals()[name] = value
    return value


__all__ = [
    "Capability",
    "CapabilityRegistrar",
    "ConfigDefault",
    "ConfigSection",
    "DefaultRegistrar",
    "HintRegistrar",
    "InstallHint",
    "Kind",
    "SectionRegistrar",
    "hookimpl",
    *_LAZY,
]

if TYPE_CHECKING:
    pass
