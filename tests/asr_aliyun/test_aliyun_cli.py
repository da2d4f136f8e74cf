"""Through the real CLI and runner: config file + credentials from the environment, the job's
transcript and log, and a failed upload that fails the stage instead of yielding no clips."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from aliyun_support import AK_ID, AK_SECRET, APP_KEY, BUCKET, RUNNING, SECRETS, success


def write_config(tmp_path: Path, fake) -> Path:
    config = tmp_path / "clipora.yaml"
    data = {
        "paths": {"workdir": str(tmp_path / "workdir")},
        "asr": {
            "mode": "aliyun",
            "aliyun": {
                "oss_endpoint": fake.url,
                "oss_bucket_name": BUCKET,
                "filetrans_endpoint": fake.url,
                "vocabulary_endpoint": fake.url,
                "poll_interval_seconds": 0.02,
                "max_poll_interval_seconds": 0.05,
                "retry_delay_seconds": 0.01,
                "upload_attempts": 2,
            },
        },
    }
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    return config


ENV = {
    "CLIPORA_ASR__ALIYUN__ACCESS_KEY_ID": AK_ID,
    "CLIPORA_ASR__ALIYUN__ACCESS_KEY_SECRET": AK_SECRET,
    "CLIPORA_ASR__ALIYUN__APP_KEY": APP_KEY,
}


def job_texts(job: Path) -> str:
    return "\n".join(
        p.read_text(errors="replace") for p in job.rglob("*") if p.is_file() and p.suffix != ".mp4"
    )


def test_semantic_discover_with_aliyun(cli_run, fake, media, tmp_path):
    config = write_config(tmp_path, fake)
    fake.put_failures = -1
    result = cli_run("clean", media.video, "--config", config, "-q", env=ENV)
    assert result.exit_code == 0, result.output
    job = Path(result.stdout.strip().splitlines()[-1])

    # Upload failure: the stage fails with the reason, and no transcript is written.
    failed = cli_run("semantic-discover", job, "--config", config, env=ENV)
    assert failed.exit_code != 0
    assert (
        "OSS upload of audio.mp3 failed after 2 attempts (HTTP 500, InternalError" in failed.output
    )
    assert "Traceback" not in failed.output
    assert not (job / "semantic" / "transcript.json").exists()
    assert fake.tasks == []

    fake.put_failures = 0
    fake.task_script = [RUNNING, success()]
    ok = cli_run("semantic-discover", job, "--config", config, "--log-level", "debug", env=ENV)
    assert ok.exit_code == 0, ok.output
    transcript = json.loads((job / "semantic" / "transcript.json").read_text(encoding="utf-8"))
    assert [s["id"] for s in transcript["segments"]] == ["seg-0001", "seg-0002"]
    assert transcript["backend"] == "aliyun"
    assert [w["text"] for w in transcript["segments"][0]["words"]][:2] == ["这款", "面霜"]
    log = (job / "logs" / "pipeline.log").read_text(encoding="utf-8")
    assert "aliyun_upload_completed" in log and "status=SUCCESS" in log
    for secret in SECRETS:
        assert secret not in job_texts(job) and secret not in ok.output + failed.output
