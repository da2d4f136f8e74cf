"""The ``aliyun`` ASR backend: compressed audio -> OSS -> file-transcription task -> transcript.

Every failure is a one-line ``StageError``/``ConfigError``; none becomes an empty "completed"
transcript (the earlier tool swallowed upload errors that way). Secrets never reach a message,
a progress event or the transcript: the few texts that come from outside are scrubbed too.
"""

from __future__ import annotations

import time
from typing import Any

from clipora_core.api import (
    ASRBackend,
    ASRRequest,
    CliporaError,
    ConfigError,
    PluginRuntime,
    StageError,
    Transcript,
)

from clipora_asr_aliyun.audio import extract_mp3
from clipora_asr_aliyun.filetrans import FileTransClient
from clipora_asr_aliyun.oss_upload import OssUploader, object_key
from clipora_asr_aliyun.parse import parse_result
from clipora_asr_aliyun.plugin import LANGUAGES
from clipora_asr_aliyun.settings import AliyunASRSettings, env_name
from clipora_asr_aliyun.vocabulary import JobVocabulary, fit_hotwords

# Shares of the stage's progress bar: the task itself reports no percentage.
EXTRACT_SHARE = 0.15
UPLOAD_SHARE = 0.25


def scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class AliyunFileTransBackend(ASRBackend):
    def __init__(
        self, options: AliyunASRSettings | None = None, runtime: PluginRuntime | None = None
    ) -> None:
        self.cfg: AliyunASRSettings = options or AliyunASRSettings()
        self.runtime = runtime or PluginRuntime()
        missing = self.cfg.missing()
        if missing:
            envs = ", ".join(env_name(k.rsplit(".", 1)[1]) for k in missing)
            raise ConfigError(
                f"asr.mode=aliyun needs {', '.join(missing)}",
                hint=f"set them in the config file or as environment variables ({envs})",
            )

    def transcribe(self, request: ASRRequest) -> Transcript:
        secrets = self.cfg.secrets()
        try:
            transcript = self._transcribe(request)
            transcript.warnings = [scrub(w, secrets) for w in transcript.warnings]
            return transcript
        except CliporaError as exc:
            exc.message = scrub(exc.message, secrets)
            exc.hint = scrub(exc.hint, secrets)
            exc.args = (exc.message,)
            raise
        except Exception as exc:  # a library failure we did not map: keep secrets out of it
            text = scrub(" ".join(str(exc).split())[:300], secrets)
            raise StageError(f"Aliyun ASR failed: {type(exc).__name__}: {text}") from None

    def _transcribe(self, request: ASRRequest) -> Transcript:
        cfg = self.cfg
        progress = request.progress
        warnings: list[str] = []
        if request.language and request.language not in LANGUAGES:
            warnings.append(
                f"asr.language={request.language}: Aliyun transcribes in the language of the "
                "appkey's model; make sure the project's model matches"
            )
        # Hot words reach the task only as a hot-word list id (see vocabulary.py).
        words: list[str] = []
        if request.hotwords and cfg.vocabulary_id:
            warnings.append(
                f"asr.aliyun.vocabulary_id is set, so that list is used as it is: the job's "
                f"{len(request.hotwords)} hot words (asr.hotwords and product names) were not "
                "added to it"
            )
        elif request.hotwords and not cfg.create_vocabulary:
            warnings.append(
                "asr.hotwords and product names are not sent to Aliyun "
                "(asr.aliyun.create_vocabulary is off)"
            )
        elif request.hotwords:
            fitted = fit_hotwords(request.hotwords)
            words = fitted.words
            if note := fitted.warning():
                warnings.append(note)

        scratch = request.scratch_dir / "aliyun"
        scratch.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        audio = extract_mp3(
            request.media_path,
            scratch / "audio.mp3",
            sample_rate=cfg.audio_sample_rate,
            bitrate_kbps=cfg.audio_bitrate_kbps,
            duration_seconds=request.duration_seconds,
            on_progress=lambda f: progress.update(f * EXTRACT_SHARE, message="extracting audio"),
            runner=self.runtime.media,
        )
        size = audio.stat().st_size
        progress.info(
            "audio extracted for upload",
            action="aliyun_audio_ready",
            bytes=size,
            seconds=round(time.monotonic() - started, 2),
        )

        key = object_key(cfg, audio)
        uploader = OssUploader(cfg)
        progress.info(
            "uploading audio to OSS",
            action="aliyun_upload_started",
            bucket=cfg.oss_bucket_name,
            object_key=key,
            bytes=size,
        )
        uploaded = False
        vocabulary = JobVocabulary(cfg, scratch, progress)
        try:
            uploader.upload(
                audio,
                key,
                scratch,
                on_progress=lambda done, total: progress.update(
                    EXTRACT_SHARE + UPLOAD_SHARE * (done / total if total else 1.0),
                    message="uploading audio",
                ),
                on_retry=lambda attempt, why: progress.warning(
                    "OSS upload failed, retrying", attempt=attempt, reason=why
                ),
            )
            uploaded = True
            progress.info("upload finished", action="aliyun_upload_completed", object_key=key)
            vocabulary_id = cfg.vocabulary_id
            if words:
                vocabulary_id, problem = vocabulary.ensure(words)
                if problem:
                    warnings.append(problem)
            data = self._run_task(uploader.signed_url(key), request, vocabulary_id)
        finally:
            vocabulary.release()
            if uploaded and not cfg.keep_uploaded_audio:
                problem = uploader.delete(key)
                if problem:
                    progress.warning(
                        "could not delete the uploaded audio", object_key=key, reason=problem
                    )
                else:
                    progress.info("uploaded audio deleted", action="aliyun_upload_deleted")

        audio.unlink(missing_ok=True)  # kept only while a rerun could resume its upload
        segments = parse_result(data.get("Result"), request.duration_seconds)
        status = str(data.get("StatusText", ""))
        if not segments:
            warnings.append(f"Aliyun found no speech in the audio (task status {status})")
        elif cfg.enable_words and not any(s.words for s in segments):
            warnings.append("Aliyun returned no word timestamps although enable_words is on")
        progress.update(1.0, message="transcribed")
        return Transcript(
            segments=segments,
            language=request.language,
            backend="aliyun",
            model=f"isi-filetrans/{cfg.version}",
            duration_seconds=request.duration_seconds,
            warnings=warnings,
        )

    def _run_task(self, link: str, request: ASRRequest, vocabulary_id: str) -> dict[str, Any]:
        progress = request.progress
        client = FileTransClient(self.cfg)
        task_id = client.submit(link, vocabulary_id)
        extra = {"vocabulary_id": vocabulary_id} if vocabulary_id else {}
        progress.info(
            "transcription task submitted",
            action="aliyun_submit_completed",
            task_id=task_id,
            **extra,
        )
        base = EXTRACT_SHARE + UPLOAD_SHARE
        progress.update(base, message="transcribing in the cloud")
        seen: set[str] = set()

        def on_status(status: str, polls: int, elapsed: float) -> None:
            fields = {
                "task_id": task_id,
                "status": status,
                "poll": polls,
                "elapsed_s": round(elapsed, 1),
            }
            if status not in seen:  # one line per status, the rest at debug level
                seen.add(status)
                progress.info("transcription task status", action="aliyun_task_status", **fields)
            else:
                progress.debug("transcription task status", action="aliyun_task_status", **fields)

        data = client.wait(task_id, on_status=on_status)
        if "Result" not in data and data.get("StatusText") == "SUCCESS":
            raise StageError(f"Aliyun task {task_id} succeeded but returned no Result")
        return data
