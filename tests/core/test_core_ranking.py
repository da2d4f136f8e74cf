"""Clips best first: by score, highest first; ties and unscored clips keep the plan's order. A
score travels in plans and render results without changing their schema version."""

from __future__ import annotations

from clipora_core.contracts import ClipScore, EditPlan, ExecutionArtifact, ScorePart
from clipora_core.ranking import best_first, score_total


def _art(clip_id: str, total: float | None) -> ExecutionArtifact:
    score = None if total is None else ClipScore(total=total)
    return ExecutionArtifact(
        clip_id=clip_id, output_path=f"/x/{clip_id}.mp4", success=True, score=score
    )


def test_best_first_is_stable_and_puts_unscored_clips_last() -> None:
    arts = [_art("a", None), _art("b", 40), _art("c", 90), _art("d", 40), _art("e", None)]
    assert [a.clip_id for a in best_first(arts)] == ["c", "b", "d", "a", "e"]
    # Plain dicts (execution_result.json as read by the CLI) sort the same way.
    dumped = [a.model_dump(mode="json") for a in arts]
    assert [a["clip_id"] for a in best_first(dumped)] == ["c", "b", "d", "a", "e"]
    assert score_total({"score": None}) is None and score_total(arts[2]) == 90


def test_a_scored_plan_round_trips_and_keeps_version_1() -> None:
    score = ClipScore(
        total=72.5, parts={"hook": ScorePart(value=0.8, weight=0.2, reason="names it")}
    )
    plan = EditPlan.model_validate(
        {
            "plan_id": "p",
            "source_path": "/x.mp4",
            "segments": [
                {
                    "id": "s1",
                    "windows": [{"start_seconds": 0, "end_seconds": 5}],
                    "score": score.model_dump(),
                }
            ],
        }
    )
    again = EditPlan.model_validate_json(plan.model_dump_json())
    assert again.schema_version == 1
    assert again.segments[0].score == score
