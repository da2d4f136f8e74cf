"""End to end: the aliyun backend with the real oss2 and aliyunsdkcore clients against a local
server that speaks the OSS and file-transcription wire protocols (see aliyun_fake.py)."""

from __future__ import annotations

import json
import re
import subprocess
import time

import pytest
from aliyun_support import (
    AK_ID,
    AK_SECRET,
    APP_KEY,
    DURATION,
    QUEUEING,
    RUNNING,
    SECRETS,
    ffmpeg,
    success,
)
from clipora_core.contracts import Transcript
from clipora_core.errors import ConfigError, StageError


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def mp3_duration(data: bytes, tmp_path) -> float:
    path = tmp_path / "fetched.mp3"
    path.write_bytes(data)
    out = subprocess.run(
        [ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True, text=True
    )
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", out.stderr).groups()
    assert "Audio: mp3" in out.stderr and "mono" in out.stderr and "16000 Hz" in out.stderr
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_success_with_words_after_running_and_queueing(
    fake, media, make_settings, make_request, backend_factory, tmp_path
):
    fake.task_script = [RUNNING, QUEUEING, RUNNING, success()]
    settings = make_settings()
    request = make_request(media.video, settings)
    transcript = backend_factory(settings).transcribe(request)

    assert [s.id for s in transcript.segments] == ["seg-0001", "seg-0002"]
    first, second = transcript.segments
    assert (first.start_seconds, first.end_seconds, first.text) == (0.2, 1.54, "这款面霜非常滋润，")
    assert (second.start_seconds, second.end_seconds) == (1.54, 2.9)  # overlap removed
    assert [w.text for w in first.words] == ["这款", "面霜", "非常", "滋润"]
    assert [w.text for w in second.words] == ["今天", "只要", "一百二十九"]
    assert second.words[-1].end_seconds == 2.9
    for seg in transcript.segments:
        assert all(
            seg.start_seconds <= w.start_seconds <= w.end_seconds <= seg.end_seconds
            for w in seg.words
        )
    assert transcript.text == "这款面霜非常滋润， 今天只要一百二十九。"
    assert transcript.backend == "aliyun" and transcript.warnings == []
    assert transcript.segments[-1].end_seconds <= DURATION

    # The service got a working signed link to compressed mono 16 kHz audio of the full length.
    (task,) = fake.tasks
    assert task["appkey"] == APP_KEY and task["version"] == "4.0" and task["enable_words"] is True
    assert "x-oss-signature" in task["file_link"] and task["file_link"].startswith(fake.url)
    (audio,) = fake.fetched
    assert len(audio) < 40_000  # 3 s at 32 kbps, not a WAV (96 kB)
    assert abs(mp3_duration(audio, tmp_path) - DURATION) < 0.15
    # One plain PUT, four polls, and the object is gone afterwards.
    assert len(fake.calls_to("PUT")) == 1 and not fake.calls_to("POST", uploads="")
    assert fake.polls == 4
    assert fake.objects == {} and len(fake.deleted) == 1
    log = request.progress.text()
    for status in ("RUNNING", "QUEUEING", "SUCCESS"):
        assert f"status={status}" in log
    assert "aliyun_upload_deleted" in log
    assert request.progress.fractions[-1] == 1.0
    assert_no_secrets(log, transcript.model_dump_json())


def test_resumable_multipart_upload_and_keep_uploaded_audio(
    fake, media, make_settings, make_request, backend_factory
):
    fake.task_script = [success(words=False)]
    settings = make_settings(
        audio_bitrate_kbps=160,  # 8 s: about 160 kB, two parts (100 kB is OSS's minimum)
        multipart_threshold_mb=0.05,
        multipart_part_size_mb=0.1,
        keep_uploaded_audio=True,
        enable_words=False,
    )
    request = make_request(media.long_audio, settings, duration=8.0)
    transcript = backend_factory(settings).transcribe(request)

    assert len(fake.calls_to("POST", uploads="")) == 1
    parts = [c for c in fake.calls_to("PUT") if "uploadId" in c.query]
    assert len(parts) == 2
    (key,) = fake.objects
    assert fake.fetched == [fake.objects[key]] and len(fake.objects[key]) > 100 * 1024
    assert fake.deleted == []  # kept on request
    assert key.startswith("clipora/audio/") and key.endswith(".mp3")
    assert fake.tasks[0]["enable_words"] is False
    assert [s.words for s in transcript.segments] == [[], []]
    assert any(0 < f < 0.5 for f in request.progress.fractions)  # upload progress reported


def test_missing_credentials_name_keys_and_env_vars(make_settings, backend_factory, fake):
    settings = make_settings(access_key_secret="", app_key="", oss_bucket_name="")
    with pytest.raises(ConfigError) as err:
        backend_factory(settings)
    msg = err.value.one_line()
    for key in ("asr.aliyun.access_key_secret", "asr.aliyun.app_key", "asr.aliyun.oss_bucket_name"):
        assert key in msg
    assert "CLIPORA_ASR__ALIYUN__ACCESS_KEY_SECRET" in msg
    assert "CLIPORA_ASR__ALIYUN__APP_KEY" in msg
    assert "access_key_id" not in msg
    assert fake.calls == []


def test_credentials_from_environment(sections, tmp_path, fake):
    from clipora_core.config import load_config

    env = {
        "CLIPORA_ASR__MODE": "aliyun",
        "CLIPORA_ASR__ALIYUN__ACCESS_KEY_ID": AK_ID,
        "CLIPORA_ASR__ALIYUN__ACCESS_KEY_SECRET": AK_SECRET,
        "CLIPORA_ASR__ALIYUN__APP_KEY": APP_KEY,
    }
    config = tmp_path / "c.yaml"
    config.write_text("{}\n")
    settings = load_config(config, environ=env, sections=sections).settings
    assert settings.asr.aliyun.access_key_secret.get_secret_value() == AK_SECRET
    assert settings.asr.aliyun.missing() == [
        "asr.aliyun.oss_endpoint",
        "asr.aliyun.oss_bucket_name",
    ]
    assert_no_secrets(repr(settings), str(settings.asr.aliyun))


def test_oss_auth_failure(fake, media, make_settings, make_request, backend_factory):
    settings = make_settings(access_key_id="LTAI5tWRONGKEYID999")
    request = make_request(media.video, settings)
    with pytest.raises(StageError) as err:
        backend_factory(settings).transcribe(request)
    msg = err.value.one_line()
    assert (
        "OSS rejected the credentials" in msg and "HTTP 403" in msg and "InvalidAccessKeyId" in msg
    )
    assert "CLIPORA_ASR__ALIYUN__ACCESS_KEY_ID" in msg
    assert "WRONGKEYID" not in msg  # OSS echoes the key id in its error body
    assert len(fake.calls_to("PUT")) == 1  # no pointless retries of an auth failure
    assert fake.tasks == [] and fake.objects == {}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong secret", r"(SignatureDoesNotMatch|InvalidAccessKeySecret), HTTP 400"),
        ("unknown key id", r"InvalidAccessKeyId.NotFound, HTTP 404"),
    ],
)
def test_filetrans_auth_failure_deletes_upload(
    fake, media, make_settings, make_request, backend_factory, case, expected
):
    # OSS here checks only the key id, so the upload succeeds and the signed RPC call fails.
    if case == "wrong secret":
        settings = make_settings(access_key_secret="wrong-secret-value-123")
    else:
        fake.rpc_access_key_id = "LTAI5tOTHERKEY"
        settings = make_settings()
    request = make_request(media.video, settings)
    with pytest.raises(StageError) as err:
        backend_factory(settings).transcribe(request)
    msg = err.value.one_line()
    assert "file transcription rejected the credentials" in msg
    assert re.search(expected, msg)
    assert "CLIPORA_ASR__ALIYUN__ACCESS_KEY_SECRET" in msg
    assert "wrong-secret" not in msg and AK_ID not in msg  # the string-to-sign holds the key id
    assert fake.tasks == []  # refused before the task was read
    assert fake.objects == {} and len(fake.deleted) == 1


def test_upload_failure_is_an_error_not_an_empty_transcript(
    fake, media, make_settings, make_request, backend_factory
):
    fake.put_failures = -1
    settings = make_settings(upload_attempts=2)
    request = make_request(media.video, settings)
    with pytest.raises(StageError) as err:
        backend_factory(settings).transcribe(request)
    msg = err.value.one_line()
    assert "OSS upload of audio.mp3 failed after 2 attempts" in msg
    assert "HTTP 500" in msg and "InternalError" in msg
    assert len(fake.calls_to("PUT")) == 2
    assert fake.tasks == [] and fake.polls == 0
    assert "retrying" in request.progress.text()


def test_transient_upload_failure_is_retried(
    fake, media, make_settings, make_request, backend_factory
):
    fake.put_failures = 1
    fake.task_script = [success()]
    settings = make_settings()
    transcript = backend_factory(settings).transcribe(make_request(media.video, settings))
    assert len(fake.calls_to("PUT")) == 2
    assert len(transcript.segments) == 2


@pytest.mark.parametrize(
    ("code", "status", "hint"),
    [
        (41050008, "UNSUPPORTED_SAMPLE_RATE", "asr.aliyun.audio_sample_rate"),
        (41050002, "FILE_DOWNLOAD_FAILED", "signed_url_expires_seconds"),
        (41050001, "USER_BIZDURATION_QUOTA_EXCEED", "quota"),
    ],
)
def test_task_failure_codes(
    fake, media, make_settings, make_request, backend_factory, code, status, hint
):
    fake.task_script = [RUNNING, {"StatusCode": code, "StatusText": status}]
    settings = make_settings()
    request = make_request(media.video, settings)
    with pytest.raises(StageError) as err:
        backend_factory(settings).transcribe(request)
    msg = err.value.one_line()
    assert f"failed with status {code} {status}" in msg and hint in msg
    assert fake.polls == 2
    assert fake.objects == {}  # deleted on failure too


def test_rejected_app_key_on_submit(fake, media, make_settings, make_request, backend_factory):
    settings = make_settings(app_key="not-the-app-key")
    with pytest.raises(StageError) as err:
        backend_factory(settings).transcribe(make_request(media.video, settings))
    msg = err.value.one_line()
    assert "SubmitTask failed with status 41050015 REQUEST_APPKEY_UNREGISTERED" in msg
    assert "CLIPORA_ASR__ALIYUN__APP_KEY" in msg and "not-the-app-key" not in msg
    assert fake.polls == 0


def test_timeout_when_task_keeps_running(fake, media, make_settings, make_request, backend_factory):
    fake.task_script = [RUNNING]
    settings = make_settings(
        max_wait_seconds=0.6, poll_interval_seconds=0.05, max_poll_interval_seconds=0.2
    )
    request = make_request(media.video, settings)
    started = time.monotonic()
    with pytest.raises(StageError) as err:
        backend_factory(settings).transcribe(request)
    waited = time.monotonic() - started
    msg = err.value.one_line()
    assert "did not finish within 0.6 s (last status RUNNING" in msg
    assert "asr.aliyun.max_wait_seconds" in msg
    assert 0.6 <= waited < 4
    # Backoff: pauses grow 0.05, 0.075, 0.11, 0.17, 0.2..., so about 5-7 polls, not 12.
    assert 3 <= fake.polls <= 8
    assert fake.objects == {}


def test_no_valid_fragment_gives_empty_transcript_with_warning(
    fake, media, make_settings, make_request, backend_factory
):
    fake.task_script = [{"StatusCode": 21050003, "StatusText": "SUCCESS_WITH_NO_VALID_FRAGMENT"}]
    settings = make_settings()
    transcript = backend_factory(settings).transcribe(make_request(media.video, settings))
    assert transcript.segments == []
    assert transcript.warnings == [
        "Aliyun found no speech in the audio (task status SUCCESS_WITH_NO_VALID_FRAGMENT)"
    ]


def test_video_without_audio_stops_before_upload(
    fake, media, make_settings, make_request, backend_factory
):
    settings = make_settings()
    with pytest.raises(StageError) as err:
        backend_factory(settings).transcribe(make_request(media.silent_video, settings))
    assert "no audio.mp4 has no audio stream" in err.value.one_line()
    assert fake.calls == []


def test_secrets_never_in_messages_events_or_files(
    fake, media, make_settings, make_request, backend_factory, tmp_path
):
    texts: list[str] = []
    scenarios = [
        ({}, [success()]),
        ({"access_key_id": "LTAI5tWRONGKEYID999"}, []),
        ({"access_key_secret": "bad"}, []),
        ({}, [RUNNING, {"StatusCode": 41050002, "StatusText": "FILE_DOWNLOAD_FAILED"}]),
    ]
    for overrides, script in scenarios:
        fake.task_script, fake.polls = script, 0
        settings = make_settings(**overrides)
        request = make_request(media.video, settings, hotwords=["面霜", "保温杯"])
        try:
            transcript = backend_factory(settings).transcribe(request)
            texts.append(transcript.model_dump_json())
        except StageError as exc:
            texts += [exc.one_line(), repr(exc), str(exc)]
        texts.append(request.progress.text())
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".mp3":
            texts.append(path.read_text(errors="replace"))
    assert_no_secrets(*texts)
    texts.append(json.dumps([c.query for c in fake.calls]))  # sanity: the fake saw the key id
    assert AK_ID in texts[-1]


def test_capability_description(backend_factory):
    from clipora_core.capabilities import Kind
    from clipora_core.plugins import get_host

    cap = get_host().get(Kind.ASR, "aliyun")
    assert cap.needs_network and cap.needs_credentials
    assert cap.languages == ["zh", "en"]
    assert cap.features == {"word_timestamps": "when enable_words", "runs": "cloud"}
    assert cap.distribution == "clipora-asr-aliyun"


def test_transcript_roundtrips_through_contract(
    fake, media, make_settings, make_request, backend_factory
):
    fake.task_script = [success()]
    settings = make_settings()
    transcript = backend_factory(settings).transcribe(make_request(media.video, settings))
    again = Transcript.model_validate_json(transcript.model_dump_json())
    assert again.segments == transcript.segments


def test_poll_survives_a_transient_server_error(
    fake, media, make_settings, make_request, backend_factory
):
    fake.task_script = [RUNNING, {"_http": 503}, success()]
    settings = make_settings()
    request = make_request(media.video, settings)
    transcript = backend_factory(settings).transcribe(request)
    assert len(transcript.segments) == 2 and fake.polls >= 3
    assert not (request.scratch_dir / "aliyun" / "audio.mp3").exists()  # local copy cleaned up
