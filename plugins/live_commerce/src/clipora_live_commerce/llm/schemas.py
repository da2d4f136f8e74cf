"""What each stage asks the model to return: pydantic models that validate the answer and the
JSON Schemas sent as ``response_format`` (OpenAI strict mode: every property required,
``additionalProperties: false``, optional values as ``null`` unions)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from clipora_live_commerce.engine import ClusterGroup, IntervalCandidate, VariantChoice


class DiscoverAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # Required on purpose: a missing list is an answer that went wrong, not "no products".
    intervals: list[IntervalCandidate]


class ClusterAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    groups: list[ClusterGroup]


class PlanAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    variants: list[VariantChoice]
    selling_points: list[str] = []


def _obj(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


_STR = {"type": "string"}
_INT = {"type": "integer"}

DISCOVER_SCHEMA_NAME = "ProductIntervals"
DISCOVER_SCHEMA = _obj(
    {
        "intervals": {
            "type": "array",
            "items": _obj(
                {
                    "start_segment_number": _INT,
                    "end_segment_number": _INT,
                    "title": _STR,
                    "summary": _STR,
                    "keywords": {"type": "array", "items": _STR},
                    # Number of the seller's listed product (null: none given / not on it).
                    "listed_index": {"type": ["integer", "null"]},
                }
            ),
        }
    }
)

CLUSTER_SCHEMA_NAME = "ProductGroups"
CLUSTER_SCHEMA = _obj(
    {
        "groups": {
            "type": "array",
            "items": _obj(
                {
                    "interval_ids": {"type": "array", "items": _STR},
                    "title": _STR,
                    "summary": _STR,
                }
            ),
        }
    }
)

_HOOK = _obj({"start_segment_id": _STR, "end_segment_id": _STR, "reason": _STR})
_BODY = _obj(
    {"start_segment_id": _STR, "end_segment_id": _STR, "selling_point": _STR, "reason": _STR}
)

PLAN_SCHEMA_NAME = "ClipPlan"
PLAN_SCHEMA = _obj(
    {
        "variants": {
            "type": "array",
            "items": _obj(
                {
                    "variant": _STR,
                    "title": _STR,
                    "summary": _STR,
                    "hook": {"anyOf": [_HOOK, {"type": "null"}]},
                    "body": {"type": "array", "items": _BODY},
                }
            ),
        },
        "selling_points": {"type": "array", "items": _STR},
    }
)
