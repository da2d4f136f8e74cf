"""Tight bodies in the analyzer: the config and one item's transcript and audio bound to
``tighten.tighten_windows``, and what a plan segment records of it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clipora_core.api import TimeWindow

from clipora_live_commerce.engine import Line
from clipora_live_commerce.pauses import AudioEnvelope
from clipora_live_commerce.presence_plan import PlannedWindow
from clipora_live_commerce.settings import TightenSettings
from clipora_live_commerce.tighten import TightenRules, Trim, tighten_windows, words_of

# Hook edges were moved into pauses after the hook was resolved (``pauses.BOUND_SLACK`` and
# the wider search): keep cuts this far from where the hook was planned.
HOOK_GUARD_SECONDS = 0.5


def rules_from(settings: TightenSettings) -> TightenRules:
    return TightenRules(
        fillers=settings.fillers.all(),
        standalone_fillers=settings.standalone_fillers.all(),
        pause_fillers=settings.pause_fillers.all(),
        remove_fillers=settings.remove_fillers,
        shorten_pauses=settings.shorten_pauses,
        max_pause=settings.max_pause_seconds,
        keep_pause=settings.keep_pause_seconds,
        min_window=settings.min_window_seconds,
    )


def trim_metadata(enabled: bool, trims: Sequence[Trim]) -> dict[str, Any]:
    """The plan segment's record of what was cut (spans on the effective timeline)."""
    return {
        "tighten_enabled": enabled,
        "trimmed": [t.model_dump() for t in trims],
        "trimmed_seconds": round(sum(t.duration for t in trims), 3),
    }


class BodyTightener:
    def __init__(
        self, settings: TightenSettings, lines: Sequence[Line], envelope: AudioEnvelope | None
    ) -> None:
        self.enabled = settings.enabled
        self.rules = rules_from(settings)
        self.words = words_of(lines) if self.enabled else []
        self.energy = envelope.energy_db if envelope is not None else None

    def tighten(
        self, play: list[TimeWindow], entries: Sequence[PlannedWindow]
    ) -> tuple[list[TimeWindow], dict[str, Any]]:
        """``play`` with body fillers and long pauses cut out, and the segment's record."""
        if not self.enabled:
            return play, trim_metadata(False, [])
        hook = [
            TimeWindow(
                start_seconds=max(0.0, f.start_seconds - HOOK_GUARD_SECONDS),
                end_seconds=f.end_seconds + HOOK_GUARD_SECONDS,
            )
            for p in entries
            if p.role == "hook"
            for f in p.frags
        ]
        windows, trims = tighten_windows(play, self.words, self.rules, self.energy, hook)
        return windows, trim_metadata(True, trims)
