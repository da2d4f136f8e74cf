"""The new-job form: multipart parsed as it arrives, file parts streamed straight to disk.

Starlette's own form parsing spools a whole upload to a temporary file before the handler sees
it, so a size limit could only be checked afterwards; here the limit stops the upload at the byte
that crosses it and nothing but the destination folder is written.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from clipora_core.api import PRODUCT_SUFFIXES, InputError

VIDEO_FIELD = "video"
TRANSCRIPT_FIELD = "transcript"
PRODUCTS_FIELD = "products"
PRODUCTS_TEXT_FIELD = "products_text"
FILE_FIELDS = (VIDEO_FIELD, TRANSCRIPT_FIELD, PRODUCTS_FIELD)
TRANSCRIPT_SUFFIXES = (".srt", ".vtt", ".json", ".ass")
MAX_FIELD_BYTES = 64 * 1024
MAX_TRANSCRIPT_BYTES = 32 * 1024 * 1024
MAX_PRODUCTS_BYTES = 1024 * 1024
MAX_FIELDS = 64
# Recordings one form may upload at once (they become a batch, a job each).
MAX_BATCH_VIDEOS = 20
# Fields that may come several times in a batch: each file is kept, in order.
MULTI_FIELDS = (VIDEO_FIELD, TRANSCRIPT_FIELD)


class UploadTooLarge(InputError):
    pass


@dataclass
class ParsedForm:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)  # field name -> saved file
    names: dict[str, str] = field(default_factory=dict)  # field name -> safe client file name
    # Every video and transcript of a batch upload, in order (``files`` holds the first).
    multi: dict[str, list[Path]] = field(default_factory=dict)
    # A batch's transcripts: saved file -> the client's file stem (matched to a video's stem).
    transcript_stems: dict[Path, str] = field(default_factory=dict)
    folder: Path | None = None

    def discard(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def safe_filename(raw: str, default: str = "upload.mp4") -> str:
    """A client-supplied file name reduced to a harmless basename."""
    name = PurePosixPath(raw.replace("\\", "/")).name
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[^\w.\- ]+", "_", name).strip(" .")
    name = re.sub(r"\s+", " ", name)
    if not name or name.startswith("."):
        return default
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:110] + dot + ext[:9]) if dot else name[:120]
    return name


class _Sink:
    """Callbacks for ``python_multipart.MultipartParser``."""

    def __init__(self, upload_root: Path, max_video_bytes: int) -> None:
        self.upload_root = upload_root
        self.max_video_bytes = max_video_bytes
        self.form = ParsedForm()
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name: str | None = None
        self._file: BinaryIO | None = None
        self._file_path: Path | None = None
        self._size = 0
        self._limit = 0
        self._value = bytearray()
        self._parts = 0

    # header callbacks
    def on_part_begin(self) -> None:
        self._headers = {}
        self._name = None
        self._file = None
        self._value = bytearray()
        self._size = 0
        self._parts += 1
        if self._parts > MAX_FIELDS:
            raise InputError("too many form fields")

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_field.strip().lower()] = self._header_value.strip()
        self._header_field = b""
        self._header_value = b""

    def on_headers_finished(self) -> None:
        from python_multipart.multipart import parse_options_header

        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", errors="replace")
        filename = options.get(b"filename")
        self._name = name
        if filename is None:
            return
        if name not in FILE_FIELDS:
            raise InputError(
                f"unexpected file field {name!r}", hint="send 'video', 'transcript' or 'products'"
            )
        client_name = filename.decode("utf-8", errors="replace")
        if not client_name:
            self._name = None  # a file input left empty: browsers send an empty part
            return
        count = len(self.form.multi.get(name, []))
        if name in self.form.files and name not in MULTI_FIELDS:
            raise InputError(f"more than one {name!r} file")
        if count >= MAX_BATCH_VIDEOS:
            raise InputError(
                f"more than {MAX_BATCH_VIDEOS} {name} files in one upload",
                hint="upload them in several batches",
            )
        folder = self._folder()
        if name == VIDEO_FIELD:
            target = folder / safe_filename(client_name)
            n = 1
            while target.exists():  # two recordings of one name in a batch
                n += 1
                stem = PurePosixPath(safe_filename(client_name))
                target = folder / f"{stem.stem}-{n}{stem.suffix}"
            self._limit = self.max_video_bytes
        elif name == PRODUCTS_FIELD:
            suffix = PurePosixPath(client_name).suffix.lower()
            if suffix not in PRODUCT_SUFFIXES:
                raise InputError(
                    f"product list {safe_filename(client_name)!r} is not a .txt, .csv, .yaml "
                    "or .json file",
                    hint="save a spreadsheet as CSV",
                )
            target = folder / f".products{suffix}"
            # Messages about the list name the client's file, never the server's copy.
            self.form.names[name] = safe_filename(client_name, default=f"products{suffix}")
            self._limit = MAX_PRODUCTS_BYTES
        else:
            suffix = PurePosixPath(client_name).suffix.lower()
            if suffix not in TRANSCRIPT_SUFFIXES:
                raise InputError(
                    f"transcript {safe_filename(client_name)!r} is not a subtitle file",
                    hint=f"use {', '.join(TRANSCRIPT_SUFFIXES)}",
                )
            target = folder / f".transcript-{count + 1}{suffix}"
            self.form.transcript_stems[target] = PurePosixPath(safe_filename(client_name)).stem
            self._limit = MAX_TRANSCRIPT_BYTES
        self._file_path = target
        self._file = open(target, "wb")  # noqa: SIM115 - closed in on_part_end / close()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._file is not None:
            self._size += len(chunk)
            if self._size > self._limit:
                mb = self._limit / (1024 * 1024)
                hint = "start clipora web with a larger --max-upload-mb, or name the file on the server"
                if self._name == PRODUCTS_FIELD:
                    hint = "a product list is a small text file: one product a line"
                raise UploadTooLarge(
                    f"the {self._name} file is larger than the limit of {mb:g} MiB", hint=hint
                )
            self._file.write(chunk)
        elif self._name is not None:
            self._value += chunk
            if len(self._value) > MAX_FIELD_BYTES:
                raise InputError(f"form field {self._name!r} is too long")

    def on_part_end(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            if self._size == 0:
                raise InputError(f"the uploaded {self._name} file is empty")
            assert self._name is not None and self._file_path is not None
            self.form.files.setdefault(self._name, self._file_path)
            self.form.multi.setdefault(self._name, []).append(self._file_path)
        elif self._name:
            self.form.fields[self._name] = self._value.decode("utf-8", errors="replace")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _folder(self) -> Path:
        if self.form.folder is None:
            self.upload_root.mkdir(parents=True, exist_ok=True)
            folder = self.upload_root / uuid.uuid4().hex[:12]
            folder.mkdir()
            self.form.folder = folder
        return self.form.folder


async def parse_job_form(request: Any, upload_root: Path, max_video_bytes: int) -> ParsedForm:
    """Parse a ``multipart/form-data`` or urlencoded new-job request."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    ctype, options = parse_options_header(request.headers.get("content-type", ""))
    if ctype == b"application/x-www-form-urlencoded":
        body = await request.body()
        if len(body) > MAX_FIELD_BYTES * 4:
            raise InputError("form too large")
        from urllib.parse import parse_qsl

        form = ParsedForm()
        pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        if len(pairs) > MAX_FIELDS:
            raise InputError("too many form fields")
        form.fields = dict(pairs)
        return form
    if ctype != b"multipart/form-data" or not options.get(b"boundary"):
        raise InputError(
            "send the new job as multipart/form-data", hint="fields: video (file) or server_path"
        )
    length = request.headers.get("content-length")
    if (
        length
        and length.isdigit()
        and int(length)
        > MAX_BATCH_VIDEOS * (max_video_bytes + MAX_TRANSCRIPT_BYTES)
        + MAX_PRODUCTS_BYTES
        + 1_000_000
    ):
        raise UploadTooLarge(
            f"the upload is larger than the limit of {max_video_bytes / (1024 * 1024):g} MiB",
            hint="start clipora web with a larger --max-upload-mb, or name the file on the server",
        )
    sink = _Sink(upload_root, max_video_bytes)
    callbacks = {
        name: getattr(sink, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_part_end",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
        )
    }
    parser = MultipartParser(options[b"boundary"], callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except InputError:
        sink.close()
        sink.form.discard()
        raise
    except Exception as exc:  # noqa: BLE001 - malformed multipart from the client
        sink.close()
        sink.form.discard()
        raise InputError(f"could not read the form: {type(exc).__name__}") from None
    sink.close()
    return sink.form


def place_batch_transcripts(form: ParsedForm, videos: list[Path]) -> set[Path]:
    """A batch's transcripts, each moved next to the video of the same name (``day1.srt`` goes
    with ``day1.mp4``) where ``asr.mode=import`` finds it; returns the videos that got one."""
    by_stem = {v.stem: v for v in videos}
    placed: set[Path] = set()
    for saved in form.multi.get(TRANSCRIPT_FIELD, []):
        stem = form.transcript_stems.get(saved, "")
        video = by_stem.get(stem)
        if video is None:
            raise InputError(
                f"transcript {stem}{saved.suffix} matches none of the uploaded videos",
                hint="name each transcript like its video (day1.srt for day1.mp4)",
            )
        saved.replace(video.with_suffix(saved.suffix))
        placed.add(video)
    return placed


def place_transcript(form: ParsedForm, video: Path) -> Path | None:
    """Move an uploaded transcript next to the video as ``<video stem>.<ext>``, where
    ``asr.mode=import`` looks for it."""
    saved = form.files.get(TRANSCRIPT_FIELD)
    if saved is None:
        return None
    target = video.with_suffix(saved.suffix)
    if target == video:
        raise InputError("the transcript and the video have the same file name")
    saved.replace(target)
    form.files[TRANSCRIPT_FIELD] = target
    return target
