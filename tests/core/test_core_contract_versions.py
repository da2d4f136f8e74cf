"""On-disk contracts carry a schema version: files from before versions existed read as
version 1, and a file from a newer Clipora is refused with one line that says to upgrade."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from clipora_core.contracts import EditPlan, ExecutionResult, SemanticItemSet, Transcript
from clipora_core.workspace import JobManifest
from core_support import last_line
from pydantic import ValidationError


def _job(res: Any) -> Path:
    assert res.exit_code == 0, res.stderr
    return Path(last_line(res.stdout))


@pytest.mark.parametrize("model", [Transcript, SemanticItemSet, EditPlan, ExecutionResult])
def test_every_document_is_written_with_its_version(model: Any) -> None:
    assert "schema_version" in model.model_fields
    assert model.model_fields["schema_version"].default == 1


def test_a_plan_from_before_versions_reads_as_version_1() -> None:
    plan = EditPlan.model_validate({"plan_id": "p", "source_path": "/x.mp4", "segments": []})
    assert plan.schema_version == 1
    assert json.loads(plan.model_dump_json())["schema_version"] == 1


def test_a_newer_version_is_refused() -> None:
    with pytest.raises(ValidationError, match="newer than this Clipora reads"):
        EditPlan.model_validate({"schema_version": 2, "plan_id": "p", "source_path": "/x.mp4"})


def test_render_refuses_a_plan_from_a_newer_clipora_in_one_line(
    fakes, fake_config, fake_video, cli_run, tmp_path: Path
) -> None:
    cfg = fake_config()
    job = _job(cli_run("run", fake_video, "--config", cfg))
    plan = json.loads((job / "analysis" / "edit_plan.json").read_text(encoding="utf-8"))
    assert plan["schema_version"] == 1
    plan["schema_version"] = 7
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(plan), encoding="utf-8")
    res = cli_run("render", job, "--plan", newer, "--config", cfg)
    assert res.exit_code != 0
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("[clipora] error:")]
    assert len(errors) == 1 and "Traceback" not in res.stderr
    assert "schema version 7 is newer than this Clipora reads (1)" in errors[0]
    assert "upgrade Clipora" in errors[0]


def test_a_job_from_a_newer_clipora_is_refused_in_one_line(
    fakes, fake_config, fake_video, cli_run
) -> None:
    cfg = fake_config()
    job = _job(cli_run("run", fake_video, "--config", cfg))
    data = json.loads((job / "manifest.json").read_text(encoding="utf-8"))
    data["schema_version"] = JobManifest.SCHEMA_VERSION + 1
    (job / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    res = cli_run("render", job, "--config", cfg)
    assert res.exit_code != 0 and "Traceback" not in res.stderr
    assert "upgrade Clipora" in res.stderr
