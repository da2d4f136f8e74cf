"""Getting the JSON object out of a model's answer.

Models asked for "JSON only" still wrap it in Markdown fences, put a sentence before or after it,
or (reasoning models) prefix a ``<think>`` block. The first JSON *object* found is the answer;
anything else is an error the caller can feed back to the model.
"""

from __future__ import annotations

import json
import re
from typing import Any

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[ \t]*(?:json|JSON|json5)?[ \t]*\n(.*?)```", re.DOTALL)


class AnswerParseError(ValueError):
    """The answer holds no JSON object; the message says why, for the repair prompt."""


def extract_json_object(text: str) -> dict[str, Any]:
    if not text or not text.strip():
        raise AnswerParseError("the answer was empty")
    text = _THINK.sub("", text).strip()
    first_error: str | None = None
    for candidate in _candidates(text):
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError as exc:
            # Prose is not "invalid JSON"; only report errors of text that tried to be JSON.
            if candidate.lstrip()[:1] in ("{", "["):
                first_error = first_error or f"{exc.msg} at line {exc.lineno} column {exc.colno}"
            continue
        if isinstance(value, dict):
            return value
        first_error = first_error or f"expected a JSON object, got a JSON {type(value).__name__}"
    if first_error is None:
        raise AnswerParseError("the answer contains no JSON object")
    raise AnswerParseError(f"the answer is not valid JSON: {first_error}")


def _candidates(text: str):
    yield text
    for m in _FENCE.finditer(text):
        yield m.group(1).strip()
    # Balanced-brace scan from each '{' (strings and escapes respected), so prose around the
    # object or a second object after it does not matter.
    start = text.find("{")
    tried = 0
    while start != -1 and tried < 20:
        end = _matching_brace(text, start)
        if end is None:
            # Unbalanced to the end (e.g. cut off): offer the rest so the error names the spot.
            yield text[start:]
            return
        yield text[start : end + 1]
        tried += 1
        start = text.find("{", end + 1)


def _matching_brace(text: str, start: int) -> int | None:
    depth = 0
    in_string = False
    escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
    return None
