"""With the seller's list: which listed product (or none, or one missing from the list) each
line is about, as one best path (Viterbi) over the whole stream.

States are chat, each listed product, and "a product not on the list". A line's evidence for a
product is how surely it names it (``names.find_mentions``), the names the host uses for it
instead (a discovered name said near the listed one, such as 小白瓶 for
"5%烟酰胺美白淡斑精华液"), and the platform's 讲解 markers; for pitch against chat, the line
model's p(pitch). Staying costs nothing, so lines that name nothing keep the product being
pitched; moving to another product costs less where the gap model sees a product change. A
product may be entered again later (a callback) at the price of any other entry.

Deciding every line at once, rather than cutting blocks first and naming them after, keeps a
pitch that names its product once from being split off or named after a product it was only
compared with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from clipora_live_commerce.engine import ListedProduct
from clipora_live_commerce.features import LineFeatures, opens_pitch
from clipora_live_commerce.product_nouns import is_product_noun


class PathEvidence(Protocol):
    """What the path reads of ``segmenter.Evidence`` (one entry per transcript line)."""

    feats: list[LineFeatures]
    p_pitch: np.ndarray
    p_boundary: np.ndarray
    path_listed: list[dict[int, float]]  # listed index -> how surely the line names it
    path_heads: list[dict[int, float]]  # ...where that name opens a sentence
    names: list[set[str]]  # discovered name keys said in the line
    product_names: set[str]  # discovered keys that name a product
    name_to_listed: dict[str, int]
    names_in_list: set[str]
    language: str


MIN_SAID = 2  # an unlisted product's name is said this often
ALIAS_SURE = 0.6  # how surely the listed name must be said for a name near it to be its alias


@dataclass
class PathCosts:
    """Weights of the listed path, in log-probability units."""

    mention: float = 4.0  # a sure mention of a product, for its state
    other_mention: float = 1.5  # ...against every other product state
    alias_mention: float = 1.5  # a host's own name for a listed product
    marker: float = 2.0  # a line inside a product's 讲解 marker
    enter: float = 1.5  # chat to a product
    leave: float = 1.5  # a product to chat
    switch: float = 5.0  # one product straight to another
    cue: float = 1.0  # times the gap model's log-odds of a product change, off a switch
    unlisted: float = 0.3  # per line, for a product state that names nothing on the list
    unlisted_intro: float = 4.0  # a sentence opening with a name on no list, for "unlisted"
    unlisted_name: float = 1.5  # a line naming a product that is on no list, for that product
    min_mention: float = 0.5  # weaker mentions are ignored
    cue_floor: float = 0.0  # the gap model's log-odds count from here up
    headline: float = 3.0  # a switch to a product named first thing in a sentence costs less
    tie_cue: float = 0.1  # ...and below it this much: where to cut between two named products


DEFAULT_COSTS = PathCosts()


def host_aliases(ev: PathEvidence, n_listed: int, window: int = 2) -> dict[str, int]:
    """Discovered names the host uses for a listed product: said within ``window`` lines of
    that product's listed name at least twice, and at least twice as often as near any other."""
    near: dict[str, Counter[int]] = {}
    said: Counter[str] = Counter()
    listed = ev.path_listed
    names = ev.names
    # Only names that look like a product's (a colour or a feature said near it is not one).
    product_names = ev.product_names
    n = len(names)
    for i in range(n):
        if not names[i]:
            continue
        around: Counter[int] = Counter()
        for j in range(max(0, i - window), min(n, i + window + 1)):
            for k, s in listed[j].items():
                if s >= ALIAS_SURE:
                    around[k] = max(around[k], 1)
        for key in names[i] & product_names:
            near.setdefault(key, Counter()).update(around)
            said[key] += 1
    out: dict[str, int] = {}
    for key, counts in near.items():
        top = counts.most_common(2)
        if not top or top[0][1] < 2:
            continue
        second = top[1][1] if len(top) > 1 else 0
        # Said mostly near that product, not just now and then.
        if top[0][1] >= 2 * second and top[0][1] >= 0.5 * said[key]:
            out[key] = top[0][0]
    for key, k in ev.name_to_listed.items():
        out.setdefault(key, k)
    return {k: v for k, v in out.items() if 0 <= v < n_listed}


def unlisted_names(ev: PathEvidence, aliases: dict[str, int]) -> list[str]:
    """Discovered product names that are no listed product's: products the seller left off
    the list, each a state of its own."""
    said: Counter[str] = Counter()
    for names in ev.names:
        said.update(names)
    product_names = ev.product_names
    in_list = ev.names_in_list
    return sorted(
        k for k in product_names if k not in aliases and k not in in_list and said[k] >= MIN_SAID
    )


def introduces_other(ev: PathEvidence, i: int) -> bool:
    """Line i opens a sentence with a name that is no listed product's, right as a pitch may
    start: a product the seller left off the list, its name unknown to the path."""
    feats = ev.feats
    name = feats[i].headline
    if not name or ev.path_heads[i]:
        return False
    if any(s >= 0.5 for s in ev.path_listed[i].values()):
        return False
    # A product's name comes back as the host talks about it; a phrase said once does not.
    again = any(name in f.phrases for f in feats[i + 1 : i + 4])
    return opens_pitch(feats, i) and (again or is_product_noun(name, ev.language))


def emissions(
    ev: PathEvidence,
    listed: Sequence[ListedProduct],
    costs: PathCosts,
    aliases: dict[str, int],
    others: list[str],
) -> np.ndarray:
    """Log-score of each line (rows) under each state (columns: chat, unnamed unlisted,
    listed 0..K-1, then the unlisted names ``others``)."""
    feats = ev.feats
    n, k_count = len(feats), len(listed)
    column = {key: k_count + j for j, key in enumerate(others)}
    eps = 1e-6
    p = np.clip(ev.p_pitch, eps, 1 - eps)
    out = np.zeros((n, k_count + len(others) + 2))
    out[:, 0] = np.log(1 - p)
    out[:, 1:] = np.log(p)[:, None]
    ratio = costs.other_mention / costs.mention
    for i in range(n):
        m = np.zeros(k_count + len(others))
        for k, s in ev.path_listed[i].items():
            if s >= costs.min_mention:
                m[k] = max(m[k], costs.mention * min(1.0, s))
        for key in ev.names[i]:
            if key in aliases:
                k = aliases[key]
                m[k] = max(m[k], costs.alias_mention)
            elif key in column:
                m[column[key]] = max(m[column[key]], costs.unlisted_name)
        t0 = feats[i].line.start_seconds
        for k, prod in enumerate(listed):
            start, end = prod.start_seconds, prod.end_seconds
            if start is not None and end is not None and start - 1.0 <= t0 <= end:
                m[k] += costs.marker
        if m.any():
            for k in range(len(m)):
                out[i, 2 + k] += m[k] - ratio * np.delete(m, k).max(initial=0.0)
            out[i, 1] -= ratio * m.max()
        out[i, 1] -= costs.unlisted
        if introduces_other(ev, i):
            out[i, 1] += costs.unlisted_intro
    return out


def decode_listed(
    ev: PathEvidence, listed: Sequence[ListedProduct], costs: PathCosts | None = None
) -> list[tuple[int, int, int | str | None]]:
    """Runs of lines (first, last, product) on the best path; product is a listed index, the
    key of a discovered name that is on no list, or None (a product on no list, not named);
    chat is left out."""
    costs = costs or DEFAULT_COSTS
    n = len(ev.feats)
    if n == 0:
        return []
    aliases = host_aliases(ev, len(listed))
    others = unlisted_names(ev, aliases)
    emit = emissions(ev, listed, costs, aliases, others)
    s = emit.shape[1]
    eps = 1e-6
    pb = np.clip(ev.p_boundary, eps, 1 - eps)
    logit = np.log(pb) - np.log(1 - pb)
    base = np.full((s, s), 0.0)
    base[0, 1:] = -costs.enter
    base[1:, 0] = -costs.leave
    score = emit[0] + base[0]
    score[0] = emit[0, 0]
    back = np.zeros((n, s), dtype=np.int32)
    for i in range(1, n):
        trans = base.copy()
        # The gap model only ever makes a change cheaper: a product named outright is a
        # change however smoothly the host talked into it.
        switch = (
            -costs.switch
            + costs.cue * max(logit[i], costs.cue_floor)
            + costs.tie_cue * min(logit[i], costs.cue_floor)
        )
        trans[1:, 1:] = min(0.0, switch)
        np.fill_diagonal(trans, 0.0)
        for k, s_head in ev.path_heads[i].items():
            if s_head >= costs.min_mention:
                # Moving on to a product whose name opens a sentence costs less.
                trans[1:, 2 + k] += costs.headline * min(1.0, s_head)
                trans[2 + k, 2 + k] = 0.0
        if introduces_other(ev, i):
            trans[:, 1] += costs.headline
            trans[1, 1] = 0.0
        cand = score[:, None] + trans
        back[i] = cand.argmax(axis=0)
        score = cand.max(axis=0) + emit[i]
    state = int(score.argmax())
    path = [0] * n
    for i in range(n - 1, -1, -1):
        path[i] = state
        state = int(back[i, state])
    runs: list[tuple[int, int, int | str | None]] = []
    for i, st in enumerate(path):
        if st == 0:
            continue
        prod: int | str | None = None
        if st >= 2:
            prod = st - 2 if st - 2 < len(listed) else others[st - 2 - len(listed)]
        if runs and runs[-1][1] == i - 1 and runs[-1][2] == prod:
            runs[-1] = (runs[-1][0], i, prod)
        else:
            runs.append((i, i, prod))
    return runs
