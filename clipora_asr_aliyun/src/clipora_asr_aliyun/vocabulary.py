"""Business hot-word lists (业务专属热词) for the file-transcription task.

The file-transcription ``Task`` takes no inline hot words, only ``vocabulary_id``: the id of a
business hot-word list. Such a list can be made in the console or through the POP API, so the
job's hot words (``asr.hotwords``, then the product list's names and aliases) go into a list of
the job's own, made just before the task is submitted and deleted once the task has finished.

What Aliyun's documentation says (read through a documentation search, not tried against the
live service):

* "使用SDK设置业务专属热词" / "Use an SDK to set a business-specific hotword vocabulary": a list
  made through the POP API is used only when the request names it as ``vocabulary_id``; for
  recording file recognition that is a field of the task JSON. Lists made in the console are
  bound to the appkey instead, and a ``vocabulary_id`` in the request takes precedence over them.
* "使用POP API创建业务专属热词" / "Use the POP API to manage business-specific hotwords":
  RPC-style actions ``CreateAsrVocab`` (``Name``, ``WordWeights``: a JSON map of word to integer
  weight, optional ``Description``; answers ``VocabId``), ``GetAsrVocab`` (``Id``),
  ``UpdateAsrVocab`` (replaces name, description and every word weight), ``DeleteAsrVocab``,
  ``ListAsrVocab``; parameters go in the POST body and are signed like any POP request. The
  current English/international page names API version 2018-11-20 and the host
  ``nls-slp.<region>.aliyuncs.com`` (its example region is ap-southeast-1); public code calling
  these actions in China uses ``nls-slp.cn-shanghai.aliyuncs.com`` with the same version.
* Limits: at most 10 lists per account; weights are integers in [-6, 5] (2 is "the usual
  value", -6 means "avoid this word"); words are UTF-8 without punctuation or special
  characters. Word limits differ between page versions: 128 words per list, each at most 10
  Chinese characters, 5 English words, or 10 Chinese characters and English letters together
  when mixed (English/international pages and older Chinese ones), against 500 words of 15
  characters or 7 English words (the current Chinese page). The stricter set is used here.

Not verified against the real service (no account was used): the host, region and version for
the Chinese mainland (``vocabulary_domain``, ``vocabulary_region_id``, ``vocabulary_api_version``
are settings for that reason); that a list made through ``nls-slp.cn-shanghai`` is usable by
file transcription in another region; the name of the id parameter of ``UpdateAsrVocab`` /
``DeleteAsrVocab`` (``Id``, as documented for ``GetAsrVocab``); whether digits count like letters
in the length limit (counted here, to be safe); and the error codes the service answers with.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clipora_core.api import StageError, StageProgress, read_json, write_json

from clipora_asr_aliyun.filetrans import PopClient, parse_endpoint
from clipora_asr_aliyun.settings import AliyunASRSettings

MAX_WORDS = 128  # per list
MAX_CHARS = 10  # Chinese characters, or Chinese characters and letters together when mixed
MAX_ENGLISH_WORDS = 5
MIN_WEIGHT, MAX_WEIGHT = -6, 5
VOCABULARY_KEYS = "asr.aliyun.vocabulary_domain / vocabulary_endpoint"
STATE_FILE = "vocabulary.json"  # the job's list id while it exists on the service
# Spaces between two non-ASCII characters left by removed punctuation ("保温杯-大号").
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


def clean_word(word: str) -> str:
    """Punctuation and symbols out (the API refuses them), whitespace collapsed.

    A removed mark next to a Chinese character leaves nothing ("面霜（50g）" -> "面霜50g",
    "保温杯-大号" -> "保温杯大号"); between Latin letters or digits it leaves a space ("A/B").
    """
    out: list[str] = []
    for i, c in enumerate(word):
        if unicodedata.category(c)[0] in "LNM" or c.isspace():
            out.append(c)
            continue
        before = out[-1] if out else " "
        after = word[i + 1] if i + 1 < len(word) else " "
        if before.isascii() and after.isascii():
            out.append(" ")
    return _CJK_GAP.sub("", " ".join("".join(out).split()))


def too_long(word: str) -> bool:
    if word.isascii():
        return len(word.split()) > MAX_ENGLISH_WORDS
    return sum(1 for c in word if not c.isspace()) > MAX_CHARS


@dataclass
class HotwordList:
    """The words that fit one list, in the order given, and what was left out."""

    words: list[str] = field(default_factory=list)
    too_long: list[str] = field(default_factory=list)
    unusable: int = 0  # nothing left once punctuation was removed
    over_limit: int = 0  # fit, but beyond MAX_WORDS
    asked: int = 0  # distinct hot words asked for

    @property
    def dropped(self) -> int:
        return len(self.too_long) + self.unusable + self.over_limit

    def warning(self) -> str | None:
        if not self.dropped:
            return None
        parts = []
        if self.too_long:
            shown = ", ".join(repr(w) for w in self.too_long[:3])
            more = f" and {len(self.too_long) - 3} more" if len(self.too_long) > 3 else ""
            parts.append(
                f"{len(self.too_long)} longer than {MAX_CHARS} characters or "
                f"{MAX_ENGLISH_WORDS} English words ({shown}{more})"
            )
        if self.unusable:
            parts.append(f"{self.unusable} with nothing but punctuation")
        if self.over_limit:
            parts.append(f"{self.over_limit} beyond the {MAX_WORDS}-word limit of a list")
        return (
            f"{self.dropped} of {self.asked} hot words were left out of the Aliyun hot-word "
            f"list: {'; '.join(parts)}"
        )


def fit_hotwords(hotwords: list[str]) -> HotwordList:
    out = HotwordList()
    seen: set[str] = set()
    for raw in hotwords:
        if not raw.strip() or raw.strip() in seen:
            continue
        seen.add(raw.strip())
        out.asked += 1
        word = clean_word(raw)
        if not word:
            out.unusable += 1
        elif too_long(word):
            out.too_long.append(raw.strip())
        elif word in out.words:
            out.asked -= 1  # the same word once punctuation is gone
        elif len(out.words) >= MAX_WORDS:
            out.over_limit += 1
        else:
            out.words.append(word)
    return out


class VocabularyClient(PopClient):
    service = "hot-word list API"
    keys = VOCABULARY_KEYS

    def __init__(self, cfg: AliyunASRSettings) -> None:
        where = parse_endpoint(cfg.vocabulary_endpoint, cfg.vocabulary_domain)
        super().__init__(cfg, where, cfg.vocabulary_region_id, cfg.vocabulary_api_version)

    def _post(self, action: str, **params: str) -> dict[str, Any]:
        req = self._request(action, "POST")
        for key, value in params.items():
            req.add_body_params(key, value)
        return self._call(req, action)

    def create(self, name: str, weights: dict[str, int], description: str) -> str:
        data = self._post(
            "CreateAsrVocab",
            Name=name,
            WordWeights=json.dumps(weights, ensure_ascii=False),
            Description=description,
        )
        vocab_id = str(data.get("VocabId") or "")
        if not vocab_id:
            raise StageError("Aliyun CreateAsrVocab answered without a VocabId")
        return vocab_id

    def update(self, vocab_id: str, name: str, weights: dict[str, int], description: str) -> None:
        self._post(
            "UpdateAsrVocab",
            Id=vocab_id,
            Name=name,
            WordWeights=json.dumps(weights, ensure_ascii=False),
            Description=description,
        )

    def delete(self, vocab_id: str) -> None:
        self._post("DeleteAsrVocab", Id=vocab_id)


def _reason(exc: Exception) -> str:
    if isinstance(exc, StageError):
        return exc.message
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"


class JobVocabulary:
    """The job's own hot-word list: made (or updated) before the task, deleted after it.

    Its id is kept in the job's ``semantic/aliyun/vocabulary.json`` until the list is deleted,
    so a run that stopped before deleting it updates that list instead of making another (an
    account holds at most 10).
    """

    def __init__(self, cfg: AliyunASRSettings, scratch: Path, progress: StageProgress) -> None:
        self.cfg = cfg
        self.state = scratch / STATE_FILE
        self.progress = progress
        self.vocab_id = ""

    def _cached_id(self) -> str:
        try:
            data = read_json(self.state)
        except (OSError, ValueError):
            return ""
        return str(data.get("id", "")) if isinstance(data, dict) else ""

    def ensure(self, words: list[str]) -> tuple[str, str | None]:
        """The list's id and ``None``, or ``""`` and a one-line warning; never raises."""
        weight = self.cfg.vocabulary_weight
        weights = {w: weight for w in words}
        digest = hashlib.sha256(json.dumps(weights, ensure_ascii=False).encode()).hexdigest()
        name = f"clipora-{digest[:12]}"
        description = "Clipora: a job's hot words for one transcription, deleted afterwards"
        try:
            client = VocabularyClient(self.cfg)
            cached = self._cached_id()
            vocab_id, action = "", "created"
            if cached:
                try:
                    client.update(cached, name, weights, description)
                    vocab_id = cached
                    action = "updated"
                except StageError as exc:  # gone, or made with other keys: make a new one
                    self.progress.info(
                        "could not update the job's earlier hot-word list, making a new one",
                        action="aliyun_vocabulary_stale",
                        vocabulary_id=cached,
                        reason=exc.message,
                    )
            if not vocab_id:
                vocab_id = client.create(name, weights, description)
                with contextlib.suppress(OSError):  # costs a new list on a rerun after a crash
                    write_json(self.state, {"id": vocab_id, "name": name})
        except Exception as exc:  # never fail the transcription over hot words
            return "", (
                f"could not create the Aliyun hot-word list ({_reason(exc)}); transcribed "
                f"without the job's {len(words)} hot words"
            )
        self.vocab_id = vocab_id
        self.progress.info(
            f"hot-word list {action}",
            action=f"aliyun_vocabulary_{action}",
            vocabulary_id=vocab_id,
            words=len(words),
            weight=weight,
        )
        return vocab_id, None

    def release(self) -> None:
        """Delete the list; on failure keep its id for the next run and warn (best effort)."""
        if not self.vocab_id:
            return
        try:
            VocabularyClient(self.cfg).delete(self.vocab_id)
        except Exception as exc:
            self.progress.warning(
                "could not delete the hot-word list; the next run of this job reuses it",
                vocabulary_id=self.vocab_id,
                reason=_reason(exc),
            )
            return
        with contextlib.suppress(OSError):
            self.state.unlink(missing_ok=True)
        self.progress.info(
            "hot-word list deleted", action="aliyun_vocabulary_deleted", vocabulary_id=self.vocab_id
        )
        self.vocab_id = ""
