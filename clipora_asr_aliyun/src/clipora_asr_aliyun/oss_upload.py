"""Upload the audio to OSS (oss2), sign a download link for the service, delete it afterwards.

Files at or above ``multipart_threshold_mb`` go through ``oss2.resumable_upload``: parts are
checkpointed in the job's scratch folder, so a rerun after a dropped connection sends only the
missing parts (the object key is derived from the audio's content for the same reason).
Error messages carry the HTTP status, the OSS error code and request id, never the server's
message text: OSS echoes the AccessKey ID and the string-to-sign in some error bodies.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from clipora_core.api import StageError

from clipora_asr_aliyun.settings import AliyunASRSettings, env_name

AUTH_CODES = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "AccessDenied",
    "InvalidSecurityToken",
    "SecurityTokenExpired",
}


def oss_region(cfg: AliyunASRSettings) -> str:
    """``https://oss-cn-beijing.aliyuncs.com`` -> ``cn-beijing``; other hosts -> ``region_id``."""
    if cfg.oss_region:
        return cfg.oss_region
    host = urlsplit(cfg.oss_endpoint).hostname or ""
    label = host.split(".")[0]
    if label.startswith("oss-") and host.endswith(".aliyuncs.com"):
        return label.removeprefix("oss-").removesuffix("-internal")
    return cfg.region_id


def object_key(cfg: AliyunASRSettings, audio: Path) -> str:
    digest = hashlib.sha256()
    with open(audio, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    name = f"{digest.hexdigest()[:24]}{audio.suffix}"
    return f"{cfg.oss_key_prefix}/{name}" if cfg.oss_key_prefix else name


def auth_error(service: str, detail: str) -> StageError:
    keys = ", ".join(
        f"asr.aliyun.{k} ({env_name(k)})" for k in ("access_key_id", "access_key_secret")
    )
    return StageError(
        f"Aliyun {service} rejected the credentials ({detail})",
        hint=f"check {keys} and that the RAM user may use {service}",
    )


def describe(exc: Any) -> str:
    parts = [f"HTTP {exc.status}" if getattr(exc, "status", 0) > 0 else ""]
    if getattr(exc, "code", ""):
        parts.append(str(exc.code))
    if getattr(exc, "request_id", ""):
        parts.append(f"request id {exc.request_id}")
    if getattr(exc, "status", 0) == -2:  # RequestError: connection-level, no response
        inner = getattr(exc, "exception", None)
        parts.append(f"connection failed: {type(inner).__name__ if inner else 'unknown'}")
    if getattr(exc, "status", 0) == -3:
        parts.append("checksum mismatch")
    return ", ".join(p for p in parts if p) or type(exc).__name__


class OssUploader:
    def __init__(self, cfg: AliyunASRSettings) -> None:
        import oss2

        self.cfg = cfg
        auth = oss2.AuthV4(
            cfg.access_key_id.get_secret_value().strip(),
            cfg.access_key_secret.get_secret_value().strip(),
        )
        self.bucket = oss2.Bucket(
            auth,
            cfg.oss_endpoint,
            cfg.oss_bucket_name,
            region=oss_region(cfg),
            connect_timeout=cfg.request_timeout_seconds,
        )

    def _fatal(self, exc: Any) -> StageError | None:
        """The error to raise at once (no retry helps), or None when a retry may."""
        status = getattr(exc, "status", 0)
        code = getattr(exc, "code", "")
        if status == 403 or code in AUTH_CODES:
            return auth_error("OSS", describe(exc))
        if code == "NoSuchBucket":
            return StageError(
                f"OSS bucket {self.cfg.oss_bucket_name!r} does not exist at {self.cfg.oss_endpoint}",
                hint="check asr.aliyun.oss_bucket_name and asr.aliyun.oss_endpoint (the bucket's region)",
            )
        if 400 <= status < 500 and status not in (408, 429):
            return StageError(f"OSS upload failed ({describe(exc)})")
        return None

    def upload(
        self,
        audio: Path,
        key: str,
        checkpoint_dir: Path,
        on_progress: Callable[[int, int], None] | None = None,
        on_retry: Callable[[int, str], None] | None = None,
    ) -> None:
        import oss2

        cfg = self.cfg
        store = oss2.ResumableStore(root=str(checkpoint_dir), dir="oss-checkpoints")
        attempts = cfg.upload_attempts
        last = ""
        for attempt in range(1, attempts + 1):
            try:
                oss2.resumable_upload(
                    self.bucket,
                    key,
                    str(audio),
                    store=store,
                    multipart_threshold=int(cfg.multipart_threshold_mb * 1024 * 1024),
                    part_size=int(cfg.multipart_part_size_mb * 1024 * 1024),
                    progress_callback=on_progress,
                    num_threads=2,
                )
                return
            except oss2.exceptions.OssError as exc:
                fatal = self._fatal(exc)
                if fatal is not None:
                    raise fatal from None
                last = describe(exc)
            if attempt < attempts:
                if on_retry:
                    on_retry(attempt, last)
                time.sleep(cfg.retry_delay_seconds * 2 ** (attempt - 1))
        raise StageError(
            f"OSS upload of {audio.name} failed after {attempts} attempts ({last})",
            hint="check asr.aliyun.oss_endpoint and the network, then rerun; finished parts are reused",
        )

    def signed_url(self, key: str) -> str:
        return self.bucket.sign_url(
            "GET", key, self.cfg.signed_url_expires_seconds, slash_safe=True
        )

    def delete(self, key: str) -> str | None:
        """Delete the object; returns why it failed (None on success). Best effort."""
        import oss2

        try:
            self.bucket.delete_object(key)
            return None
        except oss2.exceptions.OssError as exc:
            return describe(exc)
