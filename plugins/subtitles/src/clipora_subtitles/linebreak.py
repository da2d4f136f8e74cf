"""Breaking a run of timed tokens into subtitle lines.

A line ends after sentence punctuation, after pause punctuation once it is long enough to stand
on its own, and before it would grow past the width limit. A phrase too long for one line is
split into the fewest lines that fit, balanced in width (no one-word orphan at the end).
"""

from __future__ import annotations

import math

from clipora_subtitles.tokens import CJK_TRAILING_DROP, Token, join_tokens, width


def _hanging(tok: Token, latin_ratio: float) -> float:
    """Width of the punctuation the line would drop if ``tok`` ended it (it takes no room)."""
    text = tok.text
    n = len(text) - len(text.rstrip("".join(CJK_TRAILING_DROP)))
    return width(text[len(text) - n :], latin_ratio) if n < len(text) else 0.0


def _phrases(tokens: list[Token], max_width: float, latin_ratio: float) -> list[list[Token]]:
    """Split at punctuation: always at sentence ends, at pauses when a quarter line is filled."""
    min_pause_width = max_width / 4
    phrases: list[list[Token]] = []
    current: list[Token] = []
    cur_w = 0.0
    for tok in tokens:
        current.append(tok)
        cur_w += width(tok.text, latin_ratio)
        if tok.ends_sentence() or (tok.ends_pause() and cur_w >= min_pause_width):
            phrases.append(current)
            current, cur_w = [], 0.0
    if current:
        phrases.append(current)
    return phrases


def _balanced(tokens: list[Token], max_width: float, latin_ratio: float) -> list[list[Token]]:
    """Fewest lines that fit, then the split with the most even line widths."""
    widths = [width(t.text, latin_ratio) + (latin_ratio if t.space_before else 0.0) for t in tokens]
    n = len(tokens)
    # best[i] = (line count, raggedness) for tokens[i:], with where the first line ends.
    best: list[tuple[int, float, int]] = [(0, 0.0, n)] * (n + 1)
    for i in range(n - 1, -1, -1):
        choice = (math.inf, math.inf, n)
        line_w = 0.0
        for j in range(i, n):
            line_w += widths[j] if j > i else width(tokens[j].text, latin_ratio)
            if line_w - _hanging(tokens[j], latin_ratio) > max_width + 1e-9 and j > i:
                break
            rest_lines, rest_cost, _ = best[j + 1]
            slack = max_width - line_w + _hanging(tokens[j], latin_ratio)
            cand = (rest_lines + 1, rest_cost + slack**2, j + 1)
            if cand[:2] < choice[:2]:
                choice = cand
        best[i] = choice  # type: ignore[assignment]
    lines: list[list[Token]] = []
    i = 0
    while i < n:
        j = best[i][2]
        lines.append(tokens[i:j])
        i = j
    return lines


def break_lines(tokens: list[Token], max_width: float, latin_ratio: float) -> list[list[Token]]:
    lines: list[list[Token]] = []
    for phrase in _phrases(tokens, max_width, latin_ratio):
        if (
            width(join_tokens(phrase), latin_ratio) - _hanging(phrase[-1], latin_ratio)
            <= max_width + 1e-9
        ):
            lines.append(phrase)
        else:
            lines.extend(_balanced(phrase, max_width, latin_ratio))
    return lines
