"""The offline engine's learnt weights: two logistic models and the decoder's costs.

``offline_model.json`` (next to this module) is written by ``bench/train_offline.py`` from the
development half of the benchmark corpus only; the test half is never read by it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np

from clipora_live_commerce.evidence import GAP_FEATURES, LINE_FEATURES

MODEL_FILE = "offline_model.json"


@dataclass
class Decoder:
    """Costs of the labelling's path and of the topic segmentation."""

    enter_pitch: float = 1.0  # leaving chat for a pitch (log-probability units)
    leave_pitch: float = 1.0  # leaving a pitch for chat
    segment_penalty: float = 3.0  # cost of one more pitch block inside a run of pitch
    prior_mass: float = 100.0  # Dirichlet mass of a block's word model around the stream's
    cue_scale: float = 1.0  # weight of the gap model's log-odds as a boundary bonus
    name_weight: float = 3.0  # a product name counts as this many words of a block's model
    max_block_seconds: float = 480.0  # longest pitch block considered
    rejoin_seconds: float = 25.0  # a pitch resumed within this after an aside is the same pitch
    min_pitch_seconds: float = 8.0  # shorter pitch blocks need a name to stand alone


@dataclass
class OfflineModel:
    language: str
    line_weights: dict[str, float] = field(default_factory=dict)
    gap_weights: dict[str, float] = field(default_factory=dict)
    decoder: Decoder = field(default_factory=Decoder)
    trained_on: list[str] = field(default_factory=list)
    # Everyday words and how much each says "pitch" (+) or "chat" (-).
    word_weights: dict[str, float] = field(default_factory=dict)

    def line_vector(self) -> np.ndarray:
        return np.array([self.line_weights.get(k, 0.0) for k in LINE_FEATURES])

    def gap_vector(self) -> np.ndarray:
        return np.array([self.gap_weights.get(k, 0.0) for k in GAP_FEATURES])

    def to_json(self) -> dict:
        return {
            "language": self.language,
            "line_weights": self.line_weights,
            "gap_weights": self.gap_weights,
            "decoder": self.decoder.__dict__,
            "trained_on": self.trained_on,
            "word_weights": self.word_weights,
        }


# Used until a trained file exists (and as the starting point of training): signs as a host's
# talk suggests, sizes set by hand.
DEFAULT_LINE = {
    "bias": -0.2,
    "price": 1.5,
    "cta": 1.0,
    "attributes": 0.6,
    "greeting": -1.2,
    "thanks_follow": -1.0,
    "shipping": -1.0,
    "giveaway": -1.2,
    "personal": -1.0,
    "stream_meta": -0.8,
    "goodbye": -1.2,
    "viewer_reference": -0.3,
    "demonstrative": 0.4,
    "name_mention": 1.5,
    "listed_mention": 2.5,
    "ctx_selling": 0.8,
    "ctx_chat": -0.8,
    "ctx_name": 1.0,
    "ctx_listed": 1.5,
}
DEFAULT_GAP = {
    "bias": -3.0,
    "start_cue": 2.5,
    "return_cue": 1.5,
    "cta_before": 1.0,
    "price_before": 0.3,
    "pause": 1.0,
    "long_pause": 0.5,
    "lexical_drop": 1.5,
    "name_change": 1.5,
    "listed_change": 2.0,
    "new_name_ahead": 1.0,
    "discourse_marker": 0.5,
    "chat_before": 0.3,
    "marker_start": 2.5,
    "new_headline": 1.5,
}


@lru_cache(maxsize=4)
def load_model(language: str) -> OfflineModel:
    try:
        data = json.loads(
            resources.files("clipora_live_commerce").joinpath(MODEL_FILE).read_text("utf-8")
        )
    except (FileNotFoundError, OSError, ValueError):
        data = {}
    entry = data.get(language) or {}
    if not entry:
        return OfflineModel(language, dict(DEFAULT_LINE), dict(DEFAULT_GAP))
    return OfflineModel(
        language=language,
        line_weights=entry.get("line_weights", {}),
        gap_weights=entry.get("gap_weights", {}),
        decoder=Decoder(**entry.get("decoder", {})),
        trained_on=entry.get("trained_on", []),
        word_weights=entry.get("word_weights", {}),
    )
