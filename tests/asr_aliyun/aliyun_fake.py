"""A local stand-in for the parts of Aliyun OSS and ISI file transcription the backend uses.

A real HTTP server (stdlib ``http.server``, one thread per request) speaking the wire formats
the real SDK clients send and parse:

* OSS, path-style (oss2 uses it for IP endpoints): ``PUT /<bucket>/<key>``, multipart
  (``POST ?uploads``, ``GET ?uploadId`` (ListParts), ``PUT ?partNumber&uploadId``,
  ``POST ?uploadId`` with the XML part list,
  parts under 100 KB except the last refused as OSS does), ``GET`` through the V4 signed URL,
  ``DELETE``. Responses carry ETag, request id and the CRC-64 header oss2 checks. Requests with
  an unknown AccessKey ID get OSS's 403 XML, which (like the real one) echoes the key id.
* File transcription, RPC style: ``Action=SubmitTask`` (form body ``Task``) and
  ``Action=GetTaskResult``, with the HMAC-SHA1 signature checked over query plus body exactly
  as the service does. SubmitTask downloads ``file_link`` like the service, so a broken signed
  URL fails the task. GetTaskResult plays ``task_script`` (the last entry repeats; an entry
  ``{"_http": 503}`` answers that poll with an HTTP error). SubmitTask records the task's
  ``vocabulary_id`` and, for a list this server holds, the words it held at that moment.
* Business hot-word lists (POP API, same signature): ``CreateAsrVocab``, ``UpdateAsrVocab``,
  ``DeleteAsrVocab`` (POST, parameters in the body), version 2018-11-20, checked as Aliyun's
  "Use the POP API to manage business-specific hotwords" page documents: at most 10 lists per
  account, 128 words per list, each word at most 10 Chinese characters (Chinese characters and
  letters together when mixed) or 5 English words, no punctuation or special characters,
  integer weights in [-6, 5]. The error codes are made up: the documentation gives none.
  ``fail_actions`` answers an action with an HTTP error instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unicodedata import category
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from xml.etree import ElementTree

from oss2.utils import Crc64

MIN_PART = 100 * 1024
VOCAB_VERSION = "2018-11-20"
MAX_VOCABS = 10
MAX_VOCAB_WORDS = 128


def vocab_word_problem(word: str) -> str | None:
    """Why the documented rules refuse ``word`` as a hot word, or None."""
    if not word.strip():
        return "empty word"
    if any(category(c)[0] not in "LNM" and c != " " for c in word):
        return "punctuation or special characters"
    if word.isascii():
        if len(word.split()) > 5:
            return "more than 5 English words"
    elif len(word.replace(" ", "")) > 10:
        return "more than 10 characters"
    return None


def crc64(data: bytes) -> str:
    c = Crc64()
    c.update(data)
    return str(c.crc)


def _pct(text: str) -> str:
    return quote(text, safe="-_.~")


def rpc_string_to_sign(method: str, params: dict[str, str]) -> str:
    canonical = "&".join(f"{_pct(k)}={_pct(v)}" for k, v in sorted(params.items()))
    return f"{method}&%2F&{_pct(canonical)}"


def rpc_signature(method: str, params: dict[str, str], secret: str) -> str:
    digest = hmac.new(
        (secret + "&").encode(), rpc_string_to_sign(method, params).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body_size: int


@dataclass
class FakeAliyun:
    access_key_id: str
    access_key_secret: str
    app_key: str
    bucket: str
    objects: dict[str, bytes] = field(default_factory=dict)
    uploads: dict[str, dict[int, bytes]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)  # submitted Task JSON
    fetched: list[bytes] = field(default_factory=list)  # audio the "service" downloaded
    task_script: list[dict[str, Any]] = field(default_factory=list)
    put_failures: int = 0  # PUT/UploadPart answered 500 this many times (-1: always)
    deleted: list[str] = field(default_factory=list)
    polls: int = 0
    rpc_access_key_id: str = ""  # the key id the RPC API accepts (default: access_key_id)
    vocabs: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> Name, WordWeights
    vocab_calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # signed ones
    task_vocabularies: list[dict[str, int] | None] = field(default_factory=list)  # at submit
    fail_actions: dict[str, int] = field(default_factory=dict)  # action -> HTTP status
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> FakeAliyun:
        fake = self

        class Handler(_Handler):
            server_state = fake

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def calls_to(self, method: str, **query: str) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and all(c.query.get(k) == v for k, v in query.items())
        ]


class _Handler(BaseHTTPRequestHandler):
    server_state: FakeAliyun

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output quiet
        pass

    # --- plumbing --------------------------------------------------------------------------

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        hdrs = {"x-oss-request-id": uuid.uuid4().hex[:24].upper(), **(headers or {})}
        for k, v in hdrs.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _oss_error(self, status: int, code: str, message: str, **extra: str) -> None:
        items = "".join(f"<{k}>{v}</{k}>" for k, v in extra.items())
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{message}</Message>"
            f"<RequestId>{uuid.uuid4().hex[:24].upper()}</RequestId>"
            f"<HostId>127.0.0.1</HostId>{items}</Error>"
        ).encode()
        self._send(status, body, {"Content-Type": "application/xml"})

    def _json(self, status: int, data: dict[str, Any]) -> None:
        data = {"RequestId": str(uuid.uuid4()).upper(), **data}
        self._send(status, json.dumps(data).encode(), {"Content-Type": "application/json"})

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body = self._body()
        st = self.server_state
        with st.lock:
            st.calls.append(
                Call(self.command, unquote(parts.path), query, dict(self.headers), len(body))
            )
        if "Action" in query:
            self._rpc(query, body)
        else:
            self._oss(unquote(parts.path), query, body)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _dispatch  # noqa: N815

    # --- file transcription (RPC) ------------------------------------------------------------

    def _rpc(self, query: dict[str, str], body: bytes) -> None:
        st = self.server_state
        form = dict(parse_qsl(body.decode(), keep_blank_values=True)) if body else {}
        if query.get("AccessKeyId") != (st.rpc_access_key_id or st.access_key_id):
            return self._json(
                404,
                {
                    "Code": "InvalidAccessKeyId.NotFound",
                    "Message": "Specified access key is not found.",
                },
            )
        signed = {k: v for k, v in {**query, **form}.items() if k != "Signature"}
        if query.get("Signature") != rpc_signature(self.command, signed, st.access_key_secret):
            return self._json(
                400,
                {
                    "Code": "SignatureDoesNotMatch",
                    "Message": "Specified signature is not matched with our calculation. "
                    "server string to sign is:" + rpc_string_to_sign(self.command, signed),
                },
            )
        action = query["Action"]
        if action.endswith("AsrVocab"):
            with st.lock:
                st.vocab_calls.append((action, dict(form)))
        if action in st.fail_actions:
            status = st.fail_actions[action]
            return self._json(status, {"Code": "InternalError", "Message": "scripted failure"})
        if action.endswith("AsrVocab"):
            return self._vocab(action, query, form)
        if action == "SubmitTask" and self.command == "POST":
            task = json.loads(form.get("Task", "{}"))
            with st.lock:
                st.tasks.append(task)
                vocab = st.vocabs.get(task.get("vocabulary_id", ""))
                st.task_vocabularies.append(dict(vocab["WordWeights"]) if vocab else None)
            if task.get("appkey") != st.app_key:
                return self._json(
                    200, {"StatusCode": 41050015, "StatusText": "REQUEST_APPKEY_UNREGISTERED"}
                )
            try:  # the service fetches the audio through the signed link
                with urllib.request.urlopen(task["file_link"], timeout=10) as resp:
                    audio = resp.read()
            except Exception:
                return self._json(
                    200, {"StatusCode": 41050002, "StatusText": "FILE_DOWNLOAD_FAILED"}
                )
            with st.lock:
                st.fetched.append(audio)
            return self._json(
                200, {"StatusCode": 21050000, "StatusText": "SUCCESS", "TaskId": uuid.uuid4().hex}
            )
        if action == "GetTaskResult" and self.command == "GET":
            with st.lock:
                index = min(st.polls, len(st.task_script) - 1)
                st.polls += 1
                reply = dict(st.task_script[index]) if st.task_script else {}
            if "_http" in reply:  # a scripted server-side failure of this poll
                status = reply.pop("_http")
                return self._json(status, {"Code": "ServiceUnavailable", "Message": "busy"})
            reply.setdefault("TaskId", query.get("TaskId", ""))
            return self._json(200, reply)
        return self._json(400, {"Code": "InvalidAction", "Message": f"unknown action {action}"})

    # --- business hot-word lists (POP API) ----------------------------------------------------

    def _vocab_error(self, code: str, message: str, status: int = 400) -> None:
        return self._json(status, {"Code": code, "Message": message})

    def _weights(self, form: dict[str, str]) -> dict[str, int] | str:
        """The parsed ``WordWeights``, or why they are refused."""
        try:
            weights = json.loads(form.get("WordWeights", ""))
        except ValueError:
            return "WordWeights is not JSON"
        if not isinstance(weights, dict) or not weights:
            return "WordWeights must be a non-empty JSON map of word to weight"
        if len(weights) > MAX_VOCAB_WORDS:
            return f"{len(weights)} words, at most {MAX_VOCAB_WORDS}"
        for word, weight in weights.items():
            if type(weight) is not int or not -6 <= weight <= 5:
                return f"weight of {word!r} must be an integer in [-6, 5]"
            problem = vocab_word_problem(word)
            if problem:
                return f"word {word!r}: {problem}"
        return weights

    def _vocab(self, action: str, query: dict[str, str], form: dict[str, str]) -> None:
        st = self.server_state
        if self.command != "POST":
            return self._vocab_error("InvalidMethod", "POST is required")
        if query.get("Version") != VOCAB_VERSION:
            return self._vocab_error("InvalidVersion", f"version {query.get('Version')}")
        if action == "DeleteAsrVocab":
            with st.lock:
                if st.vocabs.pop(form.get("Id", ""), None) is None:
                    return self._vocab_error("VocabNotFound", "no such vocabulary", 404)
            return self._json(200, {})
        if action not in ("CreateAsrVocab", "UpdateAsrVocab"):
            return self._vocab_error("InvalidAction", f"unknown action {action}")
        if not form.get("Name"):
            return self._vocab_error("MissingName", "Name is mandatory")
        weights = self._weights(form)
        if isinstance(weights, str):
            return self._vocab_error("InvalidParameter.WordWeights", weights)
        entry = {
            "Name": form["Name"],
            "Description": form.get("Description", ""),
            "WordWeights": weights,
        }
        with st.lock:
            if action == "UpdateAsrVocab":
                if form.get("Id") not in st.vocabs:
                    return self._vocab_error("VocabNotFound", "no such vocabulary", 404)
                st.vocabs[form["Id"]] = entry
                return self._json(200, {})
            if len(st.vocabs) >= MAX_VOCABS:
                return self._vocab_error("VocabQuotaExceeded", "at most 10 vocabularies")
            vocab_id = uuid.uuid4().hex
            st.vocabs[vocab_id] = entry
        return self._json(200, {"VocabId": vocab_id})

    # --- OSS ---------------------------------------------------------------------------------

    def _caller_key_id(self, query: dict[str, str]) -> str:
        auth = self.headers.get("Authorization", "")
        if "Credential=" in auth:
            return auth.split("Credential=", 1)[1].split("/", 1)[0]
        if "x-oss-credential" in query:
            return query["x-oss-credential"].split("/", 1)[0]
        return ""

    def _oss(self, path: str, query: dict[str, str], body: bytes) -> None:
        st = self.server_state
        bucket, _, key = path.lstrip("/").partition("/")
        caller = self._caller_key_id(query)
        if caller != st.access_key_id:
            return self._oss_error(
                403,
                "InvalidAccessKeyId",
                "The OSS Access Key Id you provided does not exist in our records.",
                OSSAccessKeyId=caller,
            )
        if bucket != st.bucket:
            return self._oss_error(
                404, "NoSuchBucket", "The specified bucket does not exist.", BucketName=bucket
            )
        cmd = self.command
        if cmd == "PUT":
            with st.lock:
                fail = st.put_failures != 0
                if st.put_failures > 0:
                    st.put_failures -= 1
            if fail:
                return self._oss_error(500, "InternalError", "We encountered an internal error.")
            if "uploadId" in query:
                upload = st.uploads.get(query["uploadId"])
                if upload is None:
                    return self._oss_error(404, "NoSuchUpload", "The upload does not exist.")
                upload[int(query["partNumber"])] = body
            else:
                st.objects[key] = body
            return self._send(
                200,
                b"",
                {
                    "ETag": f'"{hashlib.md5(body).hexdigest().upper()}"',
                    "x-oss-hash-crc64ecma": crc64(body),
                },
            )
        if cmd == "POST" and "uploads" in query:
            upload_id = uuid.uuid4().hex.upper()
            st.uploads[upload_id] = {}
            xml = (
                "<InitiateMultipartUploadResult>"
                f"<Bucket>{bucket}</Bucket><Key>{key}</Key><UploadId>{upload_id}</UploadId>"
                "</InitiateMultipartUploadResult>"
            ).encode()
            return self._send(200, xml, {"Content-Type": "application/xml"})
        if cmd == "POST" and "uploadId" in query:
            upload = st.uploads.pop(query["uploadId"], None)
            if upload is None:
                return self._oss_error(404, "NoSuchUpload", "The upload does not exist.")
            numbers = [int(e.text or 0) for e in ElementTree.fromstring(body).iter("PartNumber")]
            chunks = [upload[n] for n in numbers]
            if any(len(c) < MIN_PART for c in chunks[:-1]):
                return self._oss_error(
                    400,
                    "EntityTooSmall",
                    "Your proposed upload is smaller than the minimum allowed size.",
                )
            data = b"".join(chunks)
            st.objects[key] = data
            xml = (
                "<CompleteMultipartUploadResult>"
                f'<Bucket>{bucket}</Bucket><Key>{key}</Key><ETag>"X-{len(numbers)}"</ETag>'
                "</CompleteMultipartUploadResult>"
            ).encode()
            return self._send(
                200,
                xml,
                {
                    "Content-Type": "application/xml",
                    "ETag": f'"X-{len(numbers)}"',
                    "x-oss-hash-crc64ecma": crc64(data),
                },
            )
        if cmd == "GET" and "uploadId" in query:  # ListParts
            upload = st.uploads.get(query["uploadId"])
            if upload is None:
                return self._oss_error(404, "NoSuchUpload", "The upload does not exist.")
            items = "".join(
                f"<Part><PartNumber>{n}</PartNumber>"
                "<LastModified>2026-01-01T00:00:00.000Z</LastModified>"
                f'<ETag>"{hashlib.md5(data).hexdigest().upper()}"</ETag><Size>{len(data)}</Size></Part>'
                for n, data in sorted(upload.items())
            )
            xml = (
                f"<ListPartsResult><Bucket>{bucket}</Bucket><Key>{key}</Key>"
                f"<UploadId>{query['uploadId']}</UploadId><NextPartNumberMarker>{max(upload, default=0)}"
                f"</NextPartNumberMarker><MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>{items}"
                "</ListPartsResult>"
            ).encode()
            return self._send(200, xml, {"Content-Type": "application/xml"})
        if cmd in ("GET", "HEAD"):
            if (
                cmd == "GET"
                and "x-oss-signature" not in query
                and "Authorization" not in self.headers
            ):
                return self._oss_error(
                    403, "AccessDenied", "You have no right to access this object."
                )
            if key not in st.objects:
                return self._oss_error(404, "NoSuchKey", "The specified key does not exist.")
            data = st.objects[key]
            return self._send(200, data, {"Content-Type": "audio/mpeg", "ETag": '"E"'})
        if cmd == "DELETE":
            st.objects.pop(key, None)
            st.deleted.append(key)
            return self._send(204)
        return self._oss_error(405, "MethodNotAllowed", "The specified method is not allowed.")


def sentence(begin_ms: int, end_ms: int, text: str, channel: int = 0) -> dict[str, Any]:
    return {
        "BeginTime": begin_ms, "EndTime": end_ms, "Text": text, "ChannelId": channel,
        "SpeechRate": 200, "EmotionValue": 6.5, "SilenceDuration": 0,
    }  # fmt: skip


def word(begin_ms: int, end_ms: int, text: str, channel: int = 0) -> dict[str, Any]:
    return {"BeginTime": begin_ms, "EndTime": end_ms, "Word": text, "ChannelId": channel}
