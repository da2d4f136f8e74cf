"""The file-transcription API (ISI ``nls-filetrans``): SubmitTask, then GetTaskResult polling.

RPC-style requests through aliyun-python-sdk-core's ``CommonRequest``. Error messages carry the
error code, HTTP status and request id, not the server's message: a signature error echoes the
string-to-sign, which contains the AccessKey ID.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from clipora_core.api import StageError

from clipora_asr_aliyun.oss_upload import auth_error
from clipora_asr_aliyun.settings import AliyunASRSettings, env_name

SUCCESS = {"SUCCESS", "SUCCESS_WITH_NO_VALID_FRAGMENT"}
PENDING = {"RUNNING", "QUEUEING"}
MAX_TRANSIENT_POLL_FAILURES = 5  # in a row
AUTH_PREFIXES = (
    "InvalidAccessKeyId",
    "InvalidAccessKeySecret",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "Forbidden",
)
# What the user can do about a failed task, by words in its StatusText.
TASK_HINTS = [
    ("QUOTA", "the account's transcription quota is used up: top it up or wait for the next day"),
    ("APPKEY", f"check asr.aliyun.app_key ({env_name('app_key')}) and the project in the console"),
    (
        "SAMPLE_RATE",
        "the appkey's model does not match the audio: set asr.aliyun.audio_sample_rate to the "
        "model's rate (8000 or 16000) or pick a matching model in the console",
    ),
    (
        "DOWNLOAD",
        "the service could not fetch the audio: check that the bucket is in a reachable region "
        "and asr.aliyun.signed_url_expires_seconds is long enough",
    ),
    ("404", "the uploaded audio was gone before the service fetched it"),
    ("403", "the signed link was refused: check the bucket's policy and the link lifetime"),
    ("TOO_LARGE", "the audio exceeds the service's size or length limit: split the recording"),
    ("EXPIRED", "the task expired on the service: rerun the stage"),
    ("RAM", "the RAM user lacks the nls file-transcription permission"),
    ("INTERNAL", "the service failed: rerun later"),
]


def task_hint(status_text: str) -> str:
    for needle, hint in TASK_HINTS:
        if needle in status_text.upper():
            return hint
    return "see the Aliyun ISI file-transcription status codes"


class TransientError(StageError):
    """No answer or a 5xx from the service: worth another try while polling a long task."""


@dataclass
class Endpoint:
    scheme: str
    host: str
    port: int


def parse_endpoint(url: str, domain: str) -> Endpoint:
    """``url`` (scheme://host[:port], a proxy or test server) when set, else https://``domain``."""
    if url:
        parts = urlsplit(url)
        default = 443 if parts.scheme == "https" else 80
        return Endpoint(parts.scheme, parts.hostname or "", parts.port or default)
    return Endpoint("https", domain, 443)


def endpoint(cfg: AliyunASRSettings) -> Endpoint:
    return parse_endpoint(cfg.filetrans_endpoint, cfg.filetrans_domain)


FILETRANS_KEYS = "asr.aliyun.filetrans_domain / filetrans_endpoint"


def sdk_error(
    exc: Any, action: str, service: str = "file transcription", keys: str = FILETRANS_KEYS
) -> StageError:
    from aliyunsdkcore.acs_exception.exceptions import ServerException

    if isinstance(exc, ServerException):
        code = exc.get_error_code() or ""
        detail = f"{code}, HTTP {exc.get_http_status()}"
        if exc.get_request_id():
            detail += f", request id {exc.get_request_id()}"
        if code.startswith(AUTH_PREFIXES) or exc.get_http_status() in (401, 403):
            return auth_error(service, detail)
        if (exc.get_http_status() or 0) >= 500:
            return TransientError(f"Aliyun {action} failed ({detail})", hint="rerun later")
        return StageError(f"Aliyun {action} failed ({detail})")
    code = getattr(exc, "error_code", "") or type(exc).__name__
    return TransientError(
        f"Aliyun {action} failed ({code}: could not reach the service)",
        hint=f"check the network and {keys}",
    )


class PopClient:
    """Signed RPC-style (POP) requests through aliyun-python-sdk-core's ``CommonRequest``.

    Shared by file transcription and the hot-word list API (``vocabulary.py``): same AccessKey,
    same HMAC-SHA1 signature, different host, region and API version.
    """

    service = "file transcription"
    keys = FILETRANS_KEYS

    def __init__(
        self,
        cfg: AliyunASRSettings,
        where: Endpoint,
        region_id: str,
        api_version: str,
        product: str | None = None,
    ) -> None:
        from aliyunsdkcore.client import AcsClient

        self.cfg = cfg
        self.endpoint = where
        self.api_version = api_version
        self.product = product
        timeout = cfg.request_timeout_seconds
        self.client = AcsClient(
            cfg.access_key_id.get_secret_value().strip(),
            cfg.access_key_secret.get_secret_value().strip(),
            region_id,
            port=where.port,
            connect_timeout=timeout,
            timeout=timeout,
        )

    def _request(self, action: str, method: str) -> Any:
        from aliyunsdkcore.request import CommonRequest

        req = CommonRequest()
        req.set_domain(self.endpoint.host)
        req.set_protocol_type(self.endpoint.scheme)
        req.set_version(self.api_version)
        if self.product:
            req.set_product(self.product)
        req.set_action_name(action)
        req.set_method(method)
        return req

    def _call(self, req: Any, action: str) -> dict[str, Any]:
        from aliyunsdkcore.acs_exception.exceptions import ClientException, ServerException

        try:
            body = self.client.do_action_with_exception(req)
        except (ServerException, ClientException) as exc:
            raise sdk_error(exc, action, self.service, self.keys) from None
        try:
            data = json.loads(body)
        except (ValueError, TypeError):
            raise StageError(f"Aliyun {action} returned a response that is not JSON") from None
        if not isinstance(data, dict):
            raise StageError(f"Aliyun {action} returned an unexpected response")
        return data


class FileTransClient(PopClient):
    def __init__(self, cfg: AliyunASRSettings) -> None:
        super().__init__(cfg, endpoint(cfg), cfg.region_id, cfg.api_version, cfg.product)

    def submit(self, file_link: str, vocabulary_id: str = "") -> str:
        task: dict[str, Any] = {
            "appkey": self.cfg.app_key.get_secret_value().strip(),
            "file_link": file_link,
            "version": self.cfg.version,
            "enable_words": self.cfg.enable_words,
            "enable_sample_rate_adaptive": True,
            "enable_timestamp_alignment": True,
            "enable_punctuation_prediction": True,
            "enable_inverse_text_normalization": True,
            "enable_semantic_sentence_detection": True,
        }
        if vocabulary_id:  # a business hot-word list (console-made or from vocabulary.py)
            task["vocabulary_id"] = vocabulary_id
        req = self._request("SubmitTask", "POST")
        req.add_body_params("Task", json.dumps(task, ensure_ascii=False))
        data = self._call(req, "SubmitTask")
        status = str(data.get("StatusText", ""))
        task_id = str(data.get("TaskId", ""))
        if status not in SUCCESS | PENDING or not task_id:
            raise task_error("SubmitTask", data)
        return task_id

    def result(self, task_id: str) -> dict[str, Any]:
        req = self._request("GetTaskResult", "GET")
        req.add_query_param("TaskId", task_id)
        return self._call(req, "GetTaskResult")

    def wait(
        self,
        task_id: str,
        on_status: Callable[[str, int, float], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> dict[str, Any]:
        """Poll until the task finishes; the pause grows 1.5x per poll up to the maximum."""
        cfg = self.cfg
        start = time.monotonic()
        deadline = start + cfg.max_wait_seconds
        interval = cfg.poll_interval_seconds
        polls = 0
        network_failures = 0
        while True:
            try:
                data = self.result(task_id)
                network_failures = 0
            except TransientError:
                # A dropped connection or a 5xx blip should not throw away a long task.
                network_failures += 1
                if network_failures > MAX_TRANSIENT_POLL_FAILURES:
                    raise
                data = {"StatusText": "RUNNING"}
            polls += 1
            status = str(data.get("StatusText", ""))
            if on_status:
                on_status(status, polls, time.monotonic() - start)
            if status in SUCCESS:
                return data
            if status not in PENDING:
                raise task_error("transcription task", data, task_id)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StageError(
                    f"Aliyun transcription task {task_id} did not finish within "
                    f"{cfg.max_wait_seconds:g} s (last status {status}, {polls} polls)",
                    hint="raise asr.aliyun.max_wait_seconds for long recordings, then rerun",
                )
            sleep(min(interval, remaining))
            interval = min(interval * 1.5, cfg.max_poll_interval_seconds)


def task_error(what: str, data: dict[str, Any], task_id: str = "") -> StageError:
    status = str(data.get("StatusText", "")) or "no status"
    code = data.get("StatusCode", "")
    where = f" {task_id}" if task_id else ""
    return StageError(
        f"Aliyun {what}{where} failed with status {code} {status}".replace("  ", " "),
        hint=task_hint(status),
    )
