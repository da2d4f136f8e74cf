"""A real OpenAI-compatible HTTP server on 127.0.0.1 for the llm engine tests.

``ScriptedLLM`` listens on a free port and answers ``POST /v1/chat/completions`` by calling a
script function with the parsed request; the script returns a ``Reply`` (status, content,
headers, delay, how to stream it). Every request is recorded, so tests assert on what the
client really sent: how many times, with which ``response_format``, which repair message.

``smart_answer`` is a stand-in model for end-to-end runs: it reads the numbered transcript in
the prompt and answers each stage validly (products are recognised by a keyword per line).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    content: str | dict | None = None  # the assistant message (a dict is sent as JSON text)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before anything is sent
    body: Any = None  # raw JSON body instead of a completion (error replies)
    chunk_delay: float = 0.0  # streaming: pause between chunks
    finish_reason: str = "stop"

    def text(self) -> str:
        if isinstance(self.content, dict):
            return json.dumps(self.content, ensure_ascii=False)
        return self.content or ""


@dataclass
class Recorded:
    body: dict[str, Any]
    headers: dict[str, str]
    at: float  # time.monotonic() when received

    @property
    def messages(self) -> list[dict[str, str]]:
        return self.body.get("messages", [])

    @property
    def system(self) -> str:
        return self.messages[0]["content"] if self.messages else ""

    @property
    def last_user(self) -> str:
        users = [m["content"] for m in self.messages if m["role"] == "user"]
        return users[-1] if users else ""

    @property
    def format_type(self) -> str | None:
        rf = self.body.get("response_format")
        return rf.get("type") if isinstance(rf, dict) else None

    @property
    def stage(self) -> str:
        return stage_of(self)

    @property
    def unit(self) -> str:
        return unit_of(self)

    @property
    def is_repair(self) -> bool:
        return len(self.messages) > 2


Script = Callable[[Recorded, int], Reply]  # (request, how many requests this unit had before)


class ScriptedLLM:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                rec = Recorded(
                    body, {k.lower(): v for k, v in self.headers.items()}, time.monotonic()
                )
                with outer._lock:
                    before = sum(1 for r in outer.requests if r.unit == rec.unit)
                    outer.requests.append(rec)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._json(404, {"error": {"message": f"no route {self.path}"}})
                reply = outer.script(rec, before)
                try:
                    if reply.delay:
                        time.sleep(reply.delay)
                    if reply.status >= 400 or reply.body is not None:
                        return self._json(
                            reply.status,
                            reply.body or {"error": {"message": "error"}},
                            reply.headers,
                        )
                    if body.get("stream"):
                        return self._stream(reply)
                    return self._json(200, _completion(reply), reply.headers)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(data, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def _stream(self, reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                text = reply.text()
                pieces = [text[i : i + 7] for i in range(0, len(text), 7)] or [""]
                self.wfile.write(b": keep-alive comment\n\n")
                first = {"choices": [{"index": 0, "delta": {"role": "assistant"}}]}
                self.wfile.write(f"data: {json.dumps(first)}\n\n".encode())
                for piece in pieces:
                    chunk = {
                        "choices": [
                            {"index": 0, "delta": {"content": piece}, "finish_reason": None}
                        ]
                    }
                    self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                    self.wfile.flush()
                    if reply.chunk_delay:
                        time.sleep(reply.chunk_delay)
                last = {
                    "choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": len(pieces)},
                }
                self.wfile.write(f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> ScriptedLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    def for_unit(self, unit: str) -> list[Recorded]:
        return [r for r in self.requests if r.unit == unit]


def _completion(reply: Reply) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": "scripted",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text()},
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


# --- reading the prompts ------------------------------------------------------------------------

_WINDOW = re.compile(r"(?:Transcript slice (\d+) of|转写第 (\d+)/)")
_ITEM = re.compile(r"(?:Product item|商品条目) (semantic-item-\d+)")
_NUMBERED = re.compile(r"^(\d+)\. \[([\d.]+)-([\d.]+)\] (.*)$", re.M)
_BY_ID = re.compile(r"^\[([\w-]+)\] \[([\d.]+)-([\d.]+)\] (.*)$", re.M)


def stage_of(rec: Recorded) -> str:
    first_user = next((m["content"] for m in rec.messages if m["role"] == "user"), "")
    if _WINDOW.search(first_user):
        return "discover"
    if _ITEM.search(first_user):
        return "plan"
    return "cluster"


def unit_of(rec: Recorded) -> str:
    first_user = next((m["content"] for m in rec.messages if m["role"] == "user"), "")
    if m := _WINDOW.search(first_user):
        return f"window-{int(m.group(1) or m.group(2)):03d}"
    if m := _ITEM.search(first_user):
        return m.group(1)
    return "cluster"


def window_lines(rec: Recorded) -> list[tuple[int, str]]:
    """(segment number, text) of the window itself, without the context lines."""
    user = rec.messages[1]["content"]
    m = re.search(r"segments (\d+) to (\d+)|片段 (\d+) 到 (\d+)", user)
    lo, hi = (int(m.group(1) or m.group(3)), int(m.group(2) or m.group(4)))
    return [(int(n), t) for n, _, _, t in _NUMBERED.findall(user) if lo <= int(n) <= hi]


def item_lines(rec: Recorded) -> list[list[tuple[str, str]]]:
    """(segment id, text) per item window."""
    user = rec.messages[1]["content"]
    groups: list[list[tuple[str, str]]] = [[]]
    for line in user.splitlines():
        if line.startswith("## ") and groups[-1]:
            groups.append([])
        elif m := _BY_ID.match(line):
            groups[-1].append((m.group(1), m.group(4)))
    return [g for g in groups if g]


def cluster_intervals(rec: Recorded) -> list[tuple[str, str]]:
    """(interval id, title) from the cluster prompt."""
    user = rec.messages[1]["content"]
    return re.findall(r"- id: ([\w-]+); .*?; title: (.*)$", user, re.M)


# --- a stand-in model ---------------------------------------------------------------------------


def smart_answer(rec: Recorded, products: dict[str, str]) -> dict[str, Any]:
    """A valid answer for any stage. ``products`` maps a keyword seen in a line to a title."""
    if rec.stage == "discover":
        out: list[dict[str, Any]] = []
        for n, text in window_lines(rec):
            title = next((t for k, t in products.items() if k in text.lower()), None)
            if title is None:
                continue
            if out and out[-1]["title"] == title and out[-1]["end_segment_number"] == n - 1:
                out[-1]["end_segment_number"] = n
            else:
                out.append(
                    {
                        "start_segment_number": n,
                        "end_segment_number": n,
                        "title": title,
                        "summary": f"Selling the {title.lower()}.",
                        "keywords": [title],
                    }
                )
        return {"intervals": out}
    if rec.stage == "cluster":
        by_title: dict[str, list[str]] = {}
        for iid, title in cluster_intervals(rec):
            by_title.setdefault(title.strip(), []).append(iid)
        return {
            "groups": [
                {"interval_ids": ids, "title": t, "summary": f"All about the {t.lower()}."}
                for t, ids in by_title.items()
            ]
        }
    windows = item_lines(rec)
    first = windows[0]
    variants = []
    for k in range(min(2, len(first))):
        hook = first[k][0]
        body = [(a, b) for a, b in ((w[0][0], w[-1][0]) for w in windows[1:])]
        rest = [sid for sid, _ in first if sid != hook]
        if rest:
            # The body may not share the hook's line: take the run after it, else the run before.
            after = [sid for sid, _ in first[k + 1 :]]
            before = [sid for sid, _ in first[:k]]
            run = after or before
            body.insert(0, (run[0], run[-1]))
        if not body:
            continue
        variants.append(
            {
                "variant": str(k + 1),
                "title": f"Clip {k + 1}",
                "summary": "A clip.",
                "hook": {"start_segment_id": hook, "end_segment_id": hook, "reason": "strong line"},
                "body": [
                    {
                        "start_segment_id": a,
                        "end_segment_id": b,
                        "selling_point": "feature: demo",
                        "reason": "features",
                    }
                    for a, b in body
                ],
            }
        )
    return {"variants": variants, "selling_points": ["demo"]}
