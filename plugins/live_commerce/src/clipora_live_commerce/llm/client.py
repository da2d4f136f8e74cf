"""A small OpenAI-compatible chat client over httpx: ``POST {base_url}/chat/completions``.

What it adds over a bare POST, because every provider misbehaves somewhere:

* retries of timeouts, lost connections, 408, 429 and 5xx with exponential backoff and jitter,
  honouring ``Retry-After`` / ``retry-after-ms`` (capped by ``provider.backoff_max_seconds``);
* one wall-clock limit per request (``provider.timeout``) for both plain and streamed answers;
* structured output that degrades once per run: a server that rejects ``json_schema`` gets
  ``json_object`` from then on (and one that rejects that gets no ``response_format``), shared by
  every thread using this client;
* errors as ``ProviderError`` with a ``kind`` the engine maps to a stage or a unit failure, and
  messages that never contain the API key.
"""

from __future__ import annotations

import email.utils
import json
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx

StructuredMode = Literal["json_schema", "json_object", "none"]
NEXT_MODE: dict[str, StructuredMode] = {"json_schema": "json_object", "json_object": "none"}
RETRY_STATUSES = {408, 409, 425, 429}
USER_AGENT = "clipora-live-commerce"

ErrorKind = Literal[
    "auth",  # 401/403: every request would fail the same way
    "not_found",  # 404: wrong base_url or model
    "connect",  # nothing listens at base_url (after retries)
    "timeout",  # no complete answer within provider.timeout (after retries)
    "rejected_format",  # 400 about response_format: handled inside ``chat``
    "http",  # other HTTP or transport failures
]


class ProviderError(Exception):
    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
        self.attempts = 0


@dataclass
class ChatAnswer:
    content: str
    finish_reason: str | None
    mode: StructuredMode
    attempts: int  # HTTP requests made for this answer (retries and format fallbacks included)
    elapsed_seconds: float
    usage: dict[str, Any] = field(default_factory=dict)
    retries: list[dict[str, Any]] = field(default_factory=list)


def display_url(url: str) -> str:
    """The URL without credentials or query (a key pasted into the URL must not leak)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def parse_retry_after(headers: httpx.Headers) -> float | None:
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class ChatClient:
    """Thread-safe: one instance serves every window and item of a run."""

    def __init__(self, provider: Any, *, sleep: Any = time.sleep) -> None:
        self.base_url = str(provider.base_url).rstrip("/")
        self.url = f"{self.base_url}/chat/completions"
        self.shown_url = display_url(self.base_url)
        self.model = provider.model
        self.timeout = float(provider.timeout)
        self.max_retries = int(provider.max_retries)
        self.backoff_base = float(provider.backoff_base_seconds)
        self.backoff_max = float(provider.backoff_max_seconds)
        self.stream = bool(provider.stream)
        self.temperature = provider.temperature
        key = provider.api_key
        self._key = key.get_secret_value() if hasattr(key, "get_secret_value") else str(key or "")
        self._mode: StructuredMode = provider.structured_output
        self._mode_lock = threading.Lock()
        self.fallbacks: list[dict[str, Any]] = []
        self._sleep = sleep
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        self._http = httpx.Client(headers=headers, timeout=httpx.Timeout(self.timeout))

    def close(self) -> None:
        self._http.close()

    @property
    def mode(self) -> StructuredMode:
        with self._mode_lock:
            return self._mode

    def scrub(self, text: str) -> str:
        if self._key and self._key in text:
            text = text.replace(self._key, "***")
        return text

    # --- one chat answer ------------------------------------------------------------------------

    def chat(
        self,
        messages: list[dict[str, str]],
        *,
        schema_name: str,
        schema: dict[str, Any],
        schema_hint: str = "",
        progress: Any = None,
        unit: str = "",
    ) -> ChatAnswer:
        """One answer (its text). ``schema_hint`` is appended to the system message when the
        server is not given the schema itself (json_object / none)."""
        started = time.monotonic()
        attempts = 0
        retries: list[dict[str, Any]] = []
        while True:
            mode = self.mode
            body = self._body(messages, mode, schema_name, schema, schema_hint)
            try:
                content, finish, usage, n = self._with_retries(body, progress, unit, retries)
            except ProviderError as exc:
                attempts += exc.attempts
                if exc.kind == "rejected_format" and mode in NEXT_MODE:
                    self._downgrade(mode, exc, progress)
                    continue
                exc.attempts = attempts
                raise
            attempts += n
            return ChatAnswer(
                content,
                finish,
                mode,
                attempts,
                round(time.monotonic() - started, 3),
                usage,
                retries,
            )

    def _downgrade(self, mode: StructuredMode, exc: ProviderError, progress: Any) -> None:
        with self._mode_lock:
            if self._mode != mode:  # another thread already moved on
                return
            self._mode = NEXT_MODE[mode]
            self.fallbacks.append({"from": mode, "to": self._mode, "reason": exc.message})
        if progress is not None:
            progress.warning(
                f"the provider rejected response_format {mode}; using {self._mode} for the rest "
                f"of this run (set provider.structured_output={self._mode} to skip the probe)"
            )

    def _body(
        self,
        messages: list[dict[str, str]],
        mode: StructuredMode,
        schema_name: str,
        schema: dict[str, Any],
        schema_hint: str,
    ) -> dict[str, Any]:
        msgs = [dict(m) for m in messages]
        if mode != "json_schema" and schema_hint and msgs and msgs[0]["role"] == "system":
            msgs[0]["content"] = f"{msgs[0]['content']}\n\n{schema_hint}"
        body: dict[str, Any] = {"model": self.model, "messages": msgs}
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if mode == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "schema": schema, "strict": True},
            }
        elif mode == "json_object":
            body["response_format"] = {"type": "json_object"}
        if self.stream:
            body["stream"] = True
        return body

    # --- retries --------------------------------------------------------------------------------

    def _with_retries(
        self, body: dict[str, Any], progress: Any, unit: str, retries: list[dict[str, Any]]
    ) -> tuple[str, str | None, dict[str, Any], int]:
        attempt = 0
        while True:
            attempt += 1
            try:
                content, finish, usage = self._send(body)
                return content, finish, usage, attempt
            except ProviderError as exc:
                exc.attempts = attempt
                if not exc.retryable or attempt > self.max_retries:
                    if exc.retryable:
                        exc.message = f"{exc.message} (gave up after {attempt} attempts)"
                    raise
                wait = self._wait(attempt, exc.retry_after)
                retries.append(
                    {
                        "attempt": attempt,
                        "status": exc.status,
                        "error": exc.message,
                        "retry_after": exc.retry_after,
                        "wait_seconds": round(wait, 3),
                    }
                )
                if progress is not None:
                    progress.info(
                        "provider request retried",
                        unit=unit,
                        attempt=attempt,
                        status=exc.status or exc.kind,
                        wait_seconds=round(wait, 2),
                    )
                self._sleep(wait)

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.backoff_max)
        # Exponential with "equal jitter": never below half the step, so a herd still spreads.
        step = self.backoff_base * (2 ** (attempt - 1))
        return min(self.backoff_max, step * (0.5 + random.random() * 0.5))

    # --- one HTTP request -----------------------------------------------------------------------

    def _send(self, body: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
        try:
            if self.stream:
                return self._send_streaming(body)
            response = self._http.post(self.url, json=body)
            if response.status_code >= 400:
                raise self._status_error(response)
            try:
                data = response.json()
            except ValueError:
                raise ProviderError(
                    f"HTTP {response.status_code} from {self.shown_url} is not JSON "
                    f"({response.headers.get('content-type', 'no content type')})",
                    kind="http",
                    status=response.status_code,
                    retryable=True,
                ) from None
            return _completion_content(data)
        except httpx.TimeoutException:
            raise ProviderError(
                f"no complete answer from {self.shown_url} within analysis.live_commerce.provider.timeout={self.timeout:g} s",
                kind="timeout",
                retryable=True,
            ) from None
        except httpx.ConnectError as exc:
            raise ProviderError(
                f"cannot connect to analysis.live_commerce.provider.base_url={self.shown_url}: {_reason(exc)}",
                kind="connect",
                retryable=True,
            ) from None
        except httpx.TransportError as exc:
            raise ProviderError(
                f"connection to {self.shown_url} failed: {_reason(exc)}",
                kind="http",
                retryable=True,
            ) from None

    def _send_streaming(self, body: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
        deadline = time.monotonic() + self.timeout
        parts: list[str] = []
        finish: str | None = None
        usage: dict[str, Any] = {}
        with self._http.stream("POST", self.url, json=body) as response:
            if response.status_code >= 400:
                response.read()
                raise self._status_error(response)
            for raw in response.iter_lines():
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("stream exceeded the request deadline")
                line = raw.strip()
                if not line.startswith("data:"):
                    continue  # comments, event names, keep-alives
                payload = line[5:].strip()
                if payload == "[DONE]":
                    break
                try:
                    chunk = json.loads(payload)
                except json.JSONDecodeError:
                    continue
                if not isinstance(chunk, dict):
                    continue
                if chunk.get("error"):
                    raise ProviderError(
                        f"the stream from {self.shown_url} reported an error: "
                        f"{self.scrub(_error_message(chunk))}",
                        kind="http",
                        retryable=True,
                    )
                for choice in chunk.get("choices") or []:
                    delta = choice.get("delta") or {}
                    text = delta.get("content")
                    if isinstance(text, str):
                        parts.append(text)
                    finish = choice.get("finish_reason") or finish
                if isinstance(chunk.get("usage"), dict):
                    usage = chunk["usage"]
        return "".join(parts), finish, usage

    def _status_error(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        detail = self.scrub(_error_message(_json_or_none(response) or response.text))[:300]
        where = f"HTTP {status} from {self.shown_url}"
        if status in (401, 403):
            return ProviderError(f"{where}: {detail}", kind="auth", status=status)
        if status == 404:
            return ProviderError(f"{where}: {detail}", kind="not_found", status=status)
        if status == 400 and _mentions_response_format(response.text):
            return ProviderError(f"{where}: {detail}", kind="rejected_format", status=status)
        retryable = status in RETRY_STATUSES or status >= 500
        return ProviderError(
            f"{where}: {detail}",
            kind="http",
            status=status,
            retryable=retryable,
            retry_after=parse_retry_after(response.headers) if retryable else None,
        )


def _completion_content(data: Any) -> tuple[str, str | None, dict[str, Any]]:
    usage = (
        data.get("usage") if isinstance(data, dict) and isinstance(data.get("usage"), dict) else {}
    )
    choices = data.get("choices") if isinstance(data, dict) else None
    if not choices or not isinstance(choices, list) or not isinstance(choices[0], dict):
        raise ProviderError("the provider's answer has no choices", kind="http", retryable=True)
    choice = choices[0]
    message = choice.get("message") or {}
    content = message.get("content")
    if isinstance(content, list):  # content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if not isinstance(content, str) or not content.strip():
        # Some servers put the structured answer in a tool call or refuse explicitly.
        calls = message.get("tool_calls") or []
        args = [c.get("function", {}).get("arguments") for c in calls if isinstance(c, dict)]
        content = next((a for a in args if isinstance(a, str) and a.strip()), None) or (
            f"(refused: {message['refusal']})" if message.get("refusal") else ""
        )
    return content, choice.get("finish_reason"), usage


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_message(data: Any) -> str:
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict):
            msg = err.get("message") or err.get("detail") or err.get("code")
            if msg:
                return " ".join(str(msg).split())
        elif isinstance(err, str):
            return " ".join(err.split())
        return " ".join(json.dumps(data, ensure_ascii=False).split())
    return " ".join(str(data or "no details").split())


def _mentions_response_format(text: str) -> bool:
    low = text.lower()
    return any(
        k in low for k in ("response_format", "json_schema", "json_object", "invalid_json_schema")
    )


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    low = text.lower()
    if "refused" in low or "errno 111" in low:
        return "connection refused"
    if "name or service not known" in low or "nodename nor servname" in low or "getaddrinfo" in low:
        return "host name not found"
    return " ".join(text.split())[:200]
