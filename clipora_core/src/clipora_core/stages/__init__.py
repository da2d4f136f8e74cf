"""The stages, one module each, in the order they run."""

from __future__ import annotations

from clipora_core.stages.analyze import AnalyzeStage
from clipora_core.stages.base import Stage, StageContext
from clipora_core.stages.clean import CleanStage
from clipora_core.stages.inspect import InspectStage
from clipora_core.stages.render import RenderStage
from clipora_core.stages.semantic_cluster import SemanticClusterStage
from clipora_core.stages.semantic_discover import SemanticDiscoverStage


def default_stages() -> list[Stage]:
    return [
        CleanStage(),
        InspectStage(),
        SemanticDiscoverStage(),
        SemanticClusterStage(),
        AnalyzeStage(),
        RenderStage(),
    ]


__all__ = ["Stage", "StageContext", "default_stages"]
