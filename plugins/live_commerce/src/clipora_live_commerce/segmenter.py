"""Where each product is pitched: pitch blocks, their product, and products said again later.

1. Every line gets p(pitch) from a logistic model over what it says (price, call to action,
   product details, a product's name, against greetings, thanks, shipping, giveaways, the
   host's own life...) and what its neighbours say; every gap between lines gets p(a new
   product starts here) from cues (next, after a call to action, a pause, the name talked about
   changing, the vocabulary changing). Weights come from ``model.py``.
2. The best path through the lines with two states, pitch and chat (Viterbi), where a pitch
   may also end and a new one start without chat between, cuts the stream into pitch blocks.
   A sentence that opens with a product's name right after a pitch closed ("...link one.
   Car mount, magnetic...", ``headline.py``) always starts a new block.
3. Each block is named: the listed product it names most (when the seller gave a list), else
   the discovered name it says most. Blocks naming the same product are one product: a pitch
   resumed after a short aside is one block again, and a later return (a price reminder, a
   restock) joins the product's item.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from math import lgamma
from typing import Any

import numpy as np

from clipora_live_commerce.candidates import Candidate, _phrase_key, discover_candidates
from clipora_live_commerce.engine import Language, Line, ListedProduct
from clipora_live_commerce.evidence import gap_matrix, line_matrix, sigmoid
from clipora_live_commerce.features import (
    LineFeatures,
    line_features,
    opens_pitch,
    surface_name,
)
from clipora_live_commerce.headline import mark_headlines
from clipora_live_commerce.model import Decoder, OfflineModel, load_model
from clipora_live_commerce.names import find_mentions, product_terms

LISTED_MIN = 2.0  # summed mention strength for a block to be a listed product
LISTED_WEAK = 0.8  # ...or this much, when no other listed product comes close
LISTED_MARGIN = 1.5
HEADLINE_WEIGHT = 2.0  # a name a pitch's sentence opens with counts as this many mentions
# Where the listed path decides which product each line is about (``listed_path``): on the
# development half it beat the block-then-name route in English (boundary F1 at 8 s 0.69 ->
# 0.76) and lost in Mandarin (0.82 -> 0.73), whose ASR hears listed names too unreliably for
# mentions to lead; there the topic model cuts first and blocks are named after.
LISTED_PATH_LANGUAGES = {"en"}
FOLD_GAP = 10.0  # seconds: an unnamed block this close to a listed pitch continues it
MOVED_ON_MENTIONS = 3  # a new product named this often before the old one again: moved on


@dataclass
class Product:
    name: str
    listed: int | None = None  # index in the seller's list
    discovered: str | None = None  # key of the discovered name
    phrases: list[str] = field(default_factory=list)


@dataclass
class Block:
    first: int  # line indexes, inclusive
    last: int
    product: int = -1  # index into Segmentation.products


@dataclass
class Segmentation:
    blocks: list[Block]
    products: list[Product]
    debug: dict = field(default_factory=dict)


@dataclass
class Evidence:
    feats: list[LineFeatures]
    p_pitch: np.ndarray
    p_boundary: np.ndarray
    listed: list[dict[int, float]]  # per line: listed index -> mention strength
    names: list[set[str]]  # per line: discovered name keys mentioned
    candidates: list[Candidate]
    line_raw: np.ndarray
    gap_raw: np.ndarray
    product_names: set[str] = field(default_factory=set)  # discovered keys naming a product
    name_to_listed: dict[str, int] = field(default_factory=dict)  # discovered key -> listed
    phrase_totals: Counter[str] | None = None  # lines saying each phrase, whole stream
    _rows: tuple | None = None
    _rows_key: tuple | None = None
    decoder: Decoder | None = None
    headline_names: list[str | None] = field(default_factory=list)  # discovered key per line
    path_listed: list[dict[int, float]] = field(default_factory=list)  # near-sounds discounted
    path_heads: list[dict[int, float]] = field(default_factory=list)  # ...that open a sentence
    names_in_list: set[str] = field(default_factory=set)  # discovered keys a listed name holds
    language: str = "en"

    @property
    def block_rows(self) -> tuple[list[list[tuple[int, float]]], np.ndarray]:
        assert self.decoder is not None
        key = (self.decoder.name_weight,)
        if self._rows is None or self._rows_key != key:
            self._rows = _block_rows(self, self.decoder)
            self._rows_key = key
        return self._rows


def gather(
    lines: list[Line], lang: Language, listed: list[ListedProduct], model: OfflineModel
) -> Evidence:
    feats = [line_features(line, lang) for line in lines]
    mark_headlines(feats, lang)
    n = len(lines)
    listed_hits: list[dict[int, float]] = [{} for _ in range(n)]
    path_hits: list[dict[int, float]] = [{} for _ in range(n)]
    path_heads: list[dict[int, float]] = [{} for _ in range(n)]
    if listed:
        terms = product_terms([[p.name, *p.aliases] for p in listed], lang)
        for i, line in enumerate(lines):
            for m in find_mentions(line.text, terms, lang):
                s = m.score * m.term.weight
                listed_hits[i][m.product] = max(listed_hits[i].get(m.product, 0.0), s)
                # A near-sound ("buns" for "beanie") is weak evidence on its own.
                sure = m.term.weight * m.score ** FUZZY_POWER[lang]
                path_hits[i][m.product] = max(path_hits[i].get(m.product, 0.0), sure)
                if _opens_sentence(line.text, m.start, lang):
                    path_heads[i][m.product] = max(path_heads[i].get(m.product, 0.0), sure)
    # Selling and chat for candidate discovery come from the line features alone.
    zero = [0.0] * n
    pre = line_matrix(feats, lang, zero, zero)
    selling = list(pre[:, 1] + pre[:, 2] + 0.5 * pre[:, 3])
    chat = list(pre[:, 4:12].sum(axis=1))
    candidates = discover_candidates(feats, lang, selling, chat, max_candidates=max(4, n // 6))
    keys = {_phrase_key(ph, lang): c for c in candidates for ph in c.phrases}
    names: list[set[str]] = []
    name_strength = []
    top = max((c.score for c in candidates), default=1.0) or 1.0
    for f in feats:
        found = {_phrase_key(ph, lang) for ph in set(f.phrases)} & keys.keys()
        found_names = {_phrase_key(keys[k].name, lang) for k in found}
        names.append(found_names)
        name_strength.append(
            max((min(1.0, keys[k].score / (0.5 * top)) for k in found), default=0.0)
        )
    headline_names = []
    for f in feats:
        cand = keys.get(_phrase_key(f.headline, lang)) if f.headline else None
        headline_names.append(_phrase_key(cand.name, lang) if cand else None)
    listed_strength = [max(d.values(), default=0.0) for d in listed_hits]
    raw = line_matrix(feats, lang, name_strength, listed_strength, model.word_weights)
    markers = [p.start_seconds for p in listed if p.start_seconds is not None]
    graw = gap_matrix(feats, lang, raw, names, listed_hits, markers)
    p_pitch = sigmoid(raw @ model.line_vector())
    p_boundary = sigmoid(graw @ model.gap_vector())
    p_boundary[0] = 1.0
    from clipora_live_commerce.product_nouns import is_product_noun

    product_names = {
        _phrase_key(c.name, lang)
        for c in candidates
        if any(is_product_noun(p, lang) for p in [c.name, *c.phrases])
    }
    # A name a sentence opens with, right as a pitch starts, is a product's too.
    product_names |= {
        key for i, key in enumerate(headline_names) if key is not None and opens_pitch(feats, i)
    }
    # A name heard in the speech that is a listed product's name (or alias) is that product.
    name_to_listed: dict[str, int] = {}
    names_in_list: set[str] = set()
    if listed:
        for c in candidates:
            best = max(
                (m for ph in [c.name, *c.phrases] for m in find_mentions(ph, terms, lang)),
                key=lambda m: m.score * m.term.weight,
                default=None,
            )
            if best is not None and best.score * best.term.weight >= STRONG_MENTION:
                name_to_listed[_phrase_key(c.name, lang)] = best.product
            if best is not None and best.score >= 0.95:
                # Part of a listed name ("blanket"): never a product missing from the list.
                names_in_list.add(_phrase_key(c.name, lang))
    return Evidence(
        feats,
        p_pitch,
        p_boundary,
        listed_hits,
        names,
        candidates,
        raw,
        graw,
        product_names=product_names,
        name_to_listed=name_to_listed,
        headline_names=headline_names,
        path_listed=path_hits,
        path_heads=path_heads,
        names_in_list=names_in_list,
        language=lang,
    )


_LEAD_EN = re.compile(r"(?:^|[.!?]\s+)(?:[\w'-]+[,\s]+)?$")
_LEAD_ZH = re.compile(r"(?:^|[。！？!?])[^。！？!?]{0,4}$")


def _opens_sentence(text: str, start: int, lang: Language) -> bool:
    """A name said first in a sentence ("Tracker tags, four in the pack", "好，这罐面霜")."""
    return bool((_LEAD_ZH if lang == "zh" else _LEAD_EN).search(text[:start]))


def decode(ev: Evidence, model: OfflineModel) -> list[tuple[int, int]]:
    """Pitch blocks (first, last line): pitch or chat per line on the best two-state path,
    then each run of pitch cut where the product changes (``split_pitch``)."""
    d = model.decoder
    n = len(ev.feats)
    if n == 0:
        return []
    eps = 1e-6
    lp = np.log(np.clip(ev.p_pitch, eps, 1 - eps))
    lf = np.log(np.clip(1 - ev.p_pitch, eps, 1 - eps))
    score_f, score_p = lf[0], lp[0] - d.enter_pitch
    back_f = np.zeros(n, dtype=np.int8)
    back_p = np.zeros(n, dtype=np.int8)
    for i in range(1, n):
        from_p = score_p - d.leave_pitch
        back_f[i] = 1 if from_p > score_f else 0
        from_f = score_f - d.enter_pitch
        back_p[i] = 0 if from_f > score_p else 1
        score_f, score_p = max(score_f, from_p) + lf[i], max(score_p, from_f) + lp[i]
    state = 1 if score_p > score_f else 0
    labels = [0] * n
    for i in range(n - 1, -1, -1):
        labels[i] = state
        state = int((back_p if state else back_f)[i]) if i > 0 else 0
    runs: list[tuple[int, int]] = []
    for i in range(n):
        if labels[i] == 1:
            if runs and runs[-1][1] == i - 1:
                runs[-1] = (runs[-1][0], i)
            else:
                runs.append((i, i))
    blocks: list[tuple[int, int]] = []
    for a, b in runs:
        for x, y in _split_at_introductions(ev, a, b):
            # A pitch a product's name opens runs to the next such name; only a product
            # named outright (``split_at_name_change``) cuts it earlier.
            blocks.extend(split_pitch(ev, x, y, d))
    return blocks


def _introduces(ev: Evidence, i: int) -> bool:
    """Line i introduces a product: a sentence opens with a product's name not said just
    before, right after the last pitch closed (a price, the link) or a pause."""
    key = ev.headline_names[i] if ev.headline_names else None
    if key is None or i == 0 or any(key in ev.names[j] for j in range(max(0, i - 6), i)):
        return False
    return opens_pitch(ev.feats, i)


def _split_at_introductions(ev: Evidence, a: int, b: int) -> list[tuple[int, int]]:
    cuts = [i for i in range(a + 1, b + 1) if _introduces(ev, i)]
    edges = [a, *cuts, b + 1]
    return [(x, y - 1) for x, y in zip(edges, edges[1:], strict=False)]


def _block_rows(ev: Evidence, d: Decoder) -> tuple[list[list[tuple[int, float]]], np.ndarray]:
    """Per line, (word id, weight) of its content words plus its product names (a named
    product weighs like several words), and the stream's word distribution."""
    vocab: dict[str, int] = {}
    rows: list[list[tuple[int, float]]] = []
    for i, f in enumerate(ev.feats):
        row = [(vocab.setdefault(t, len(vocab)), 1.0) for t in f.tokens]
        for key in ev.names[i]:
            row.append((vocab.setdefault("name:" + key, len(vocab)), d.name_weight))
        for k, s in ev.listed[i].items():
            row.append((vocab.setdefault(f"listed:{k}", len(vocab)), d.name_weight * 2 * s))
        rows.append(row)
    counts = np.ones(max(1, len(vocab)))
    for row in rows:
        for t, w in row:
            counts[t] += w
    return rows, counts / counts.sum()


def split_pitch(ev: Evidence, a: int, b: int, d: Decoder) -> list[tuple[int, int]]:
    """Cut lines ``a..b`` (all pitch) into single-product blocks: dynamic programming over
    block ends, each block scored by the marginal likelihood of its words (and names) under a
    Dirichlet word model centred on the stream's (Eisenstein & Barzilay's Bayesian
    segmentation), plus the gap model's evidence for a product change at each cut."""
    rows, bg = ev.block_rows
    log_bg = np.log(bg)
    alpha = d.prior_mass
    eps = 1e-6
    logit = np.log(np.clip(ev.p_boundary, eps, 1 - eps)) - np.log(
        np.clip(1 - ev.p_boundary, eps, 1 - eps)
    )
    times = [f.line.start_seconds for f in ev.feats]
    m = b - a + 1
    best = np.full(m + 1, np.inf)
    best[0] = 0.0
    back = np.zeros(m + 1, dtype=np.int64)
    for j in range(1, m + 1):
        c: dict[int, float] = {}
        gain = 0.0
        total = 0.0
        for i in range(j - 1, -1, -1):
            line = a + i
            if i < j - 1 and times[a + j - 1] - times[line] > d.max_block_seconds:
                break
            for t, w in rows[line]:
                old = c.get(t, 0.0)
                # The Dirichlet-multinomial's log Γ ratios for a weight-w observation (names
                # count w times, a fraction for a doubtful mention).
                ap = alpha * bg[t]
                gain += (
                    lgamma(old + ap + w)
                    - lgamma(old + ap)
                    - lgamma(total + alpha + w)
                    + lgamma(total + alpha)
                    - w * log_bg[t]
                )
                c[t] = old + w
                total += w
            bonus = d.cue_scale * logit[line] if i > 0 else 0.0
            cost = best[i] - gain + d.segment_penalty - bonus
            if cost < best[j]:
                best[j] = cost
                back[j] = i
    out = []
    j = m
    while j > 0:
        i = int(back[j])
        out.append((a + i, a + j - 1))
        j = i
    return out[::-1]


STRONG_MENTION = 0.85
# A mention's sound-alike score counts to this power on the listed path: English near-sounds
# are mostly other words ("buns" for "beanie"); Mandarin ones mostly the name misheard.
FUZZY_POWER = {"en": 4.0, "zh": 1.0}


def _strong_mentions(ev: Evidence, a: int, b: int) -> list[tuple[int, str]]:
    """(line, product) of the sure mentions in lines a..b: listed products when any are named
    sure enough, else discovered names."""
    out: list[tuple[int, str]] = []
    for i in range(a, b + 1):
        sure = [k for k, s in ev.listed[i].items() if s >= STRONG_MENTION]
        if len(sure) == 1:
            out.append((i, f"listed:{sure[0]}"))
        elif not ev.listed[i] and len(ev.names[i]) == 1:
            key = next(iter(ev.names[i]))
            if key in ev.product_names:
                out.append((i, f"name:{key}"))
    return out


def split_at_name_change(ev: Evidence, a: int, b: int) -> list[tuple[int, int]]:
    """Cut a block where the product named changes for good: from the first sure mention of
    a product after which the earlier product is not named again (a host comparing with the
    product before names it again; a host moving on does not)."""
    mentions = _strong_mentions(ev, a, b)
    if len({p for _, p in mentions}) < 2:
        return [(a, b)]
    cuts: list[int] = []
    current = mentions[0][1]
    for n, (i, p) in enumerate(mentions):
        if p == current:
            continue
        later = [q for _, q in mentions[n:]]
        # A host comparing names the product before again soon; one who moved on names the
        # new product several times first (the old one may come back as a callback).
        back = later.index(current) if current in later else len(later)
        run = later[:back]
        comparing = current in later and run.count(p) < MOVED_ON_MENTIONS
        # A name said once in passing ("charges your phone") is not the talk moving on.
        moved_on = (
            p.startswith("listed:")
            or later.count(p) >= 2
            or (ev.headline_names and ev.headline_names[i] == p.split(":", 1)[1])
        )
        if not comparing and (moved_on or ev.feats[i].start_cue):
            cut = i
            # Start at a cue just before the name ("Next." then "Cable pouch.").
            lead = ev.feats[cut - 1]
            if cut - 1 > a and (lead.start_cue or (len(lead.tokens) <= 1 and not lead.cta)):
                cut -= 1
            if cut > a and (not cuts or cut > cuts[-1]):
                cuts.append(cut)
            current = p
    out: list[tuple[int, int]] = []
    start = a
    for c in cuts:
        out.append((start, c - 1))
        start = c
    out.append((start, b))
    return out


def segment(
    lines: list[Line],
    lang: Language,
    listed: list[ListedProduct] | None = None,
    model: OfflineModel | None = None,
) -> Segmentation:
    listed = list(listed or [])
    model = model or load_model(lang)
    if not lines:
        return Segmentation([], [])
    return assemble(gather(lines, lang, listed, model), lang, listed, model)


def assemble(
    ev: Evidence, lang: Language, listed: list[ListedProduct], model: OfflineModel
) -> Segmentation:
    """Blocks and products from the evidence (separate from ``gather`` so training can try
    decoder settings without recomputing the evidence)."""
    ev.decoder = model.decoder
    d = model.decoder
    if listed and lang in LISTED_PATH_LANGUAGES:
        merged, idents = _listed_blocks(ev, lang, listed, model)
        raw_blocks = [(x, y) for x, y in merged]
    else:
        merged, idents, raw_blocks = _named_blocks(ev, lang, listed, model)

    def dur(a: int, b: int) -> float:
        return _seconds(ev, a, b)

    # A pitch resumed after a short aside, or cut where nothing changed, is one block.
    joined: list[list] = []
    for (a, b), ident in zip(merged, idents, strict=True):
        if joined:
            p = joined[-1]
            gap = ev.feats[a].line.start_seconds - ev.feats[p[1]].line.end_seconds
            touching = a == p[1] + 1
            # Touching blocks were cut by the decoder: keep the cut unless it was a weak one.
            weak_cut = ev.p_boundary[a] < 0.5
            if ident[:2] == p[2][:2] and gap <= d.rejoin_seconds and (not touching or weak_cut):
                p[1] = b
                continue
        joined.append([a, b, ident])

    _refine_edges(ev, joined)
    joined = _rescue_returns(ev, joined)
    counts = Counter(j[2][:2] for j in joined)
    products: list[Product] = []
    index: dict[tuple, int] = {}
    blocks: list[Block] = []
    dropped: list[dict] = []
    cand_by_key = {_phrase_key(c.name, lang): c for c in ev.candidates}
    for a, b, ident in joined:
        kind, key, name = ident
        if (
            dur(a, b) < d.min_pitch_seconds
            and counts[(kind, key)] < 2
            and not _micro_pitch(ev, a, b, kind, key)
        ):
            # Too short to stand alone unless it returns to a product pitched elsewhere.
            dropped.append({"first": a, "last": b, "reason": f"too short ({dur(a, b):.1f} s)"})
            continue
        if (kind, key) not in index:
            index[(kind, key)] = len(products)
            if kind == "listed":
                products.append(Product(name=listed[key].name, listed=key))
            else:
                cand = cand_by_key.get(key)
                texts = [f.line.text for f in ev.feats[a : b + 1]]
                products.append(
                    Product(
                        name=surface_name(cand.name if cand else name, texts, lang),
                        discovered=key,
                        phrases=list(cand.phrases) if cand else [name],
                    )
                )
        blocks.append(Block(a, b, index[(kind, key)]))
    return Segmentation(
        blocks=blocks,
        products=products,
        debug={
            "discovered_names": [c.name for c in ev.candidates],
            "raw_blocks": [[int(a), int(b)] for a, b in raw_blocks],
            "dropped_blocks": dropped,
        },
    )


def _seconds(ev: Evidence, a: int, b: int) -> float:
    """How long lines a..b last, from the first's start to the last's end."""
    return ev.feats[b].line.end_seconds - ev.feats[a].line.start_seconds


def _named_blocks(
    ev: Evidence, lang: Language, listed: list[ListedProduct], model: OfflineModel
) -> tuple[list[list[int]], list[tuple[str, Any, str]], list[tuple[int, int]]]:
    """Pitch blocks (a two-state path, then cut where the product changes), slivers merged
    into the pitch they touch, each named: the listed product it names most, else by what it
    says."""
    d = model.decoder
    raw_blocks = [piece for a, b in decode(ev, model) for piece in split_at_name_change(ev, a, b)]

    def dur(a: int, b: int) -> float:
        return _seconds(ev, a, b)

    # A sliver that names no listed product belongs to the pitch it touches (a lead-in before
    # the name, a closing line after it).
    def sliver(a: int, b: int) -> bool:
        if dur(a, b) >= d.min_pitch_seconds or _listed_identity(ev, a, b, listed) is not None:
            return False
        if _introduces(ev, a):
            return False
        # A short block that names a product and sells it (a price reminder) stands.
        sells = any(ev.line_raw[i][1] + ev.line_raw[i][2] > 0 for i in range(a, b + 1))
        return not (sells and any(_strong_mentions(ev, a, b)))

    merged: list[list[int]] = []
    for a, b in raw_blocks:
        if merged and merged[-1][1] == a - 1 and sliver(a, b):
            merged[-1][1] = b
            continue
        if merged and merged[-1][1] == a - 1 and sliver(*merged[-1]):
            merged[-1][1] = b
            continue
        merged.append([a, b])

    idents = [_identity(ev, a, b, listed, lang) for a, b in merged]
    if listed:
        merged, idents = _fold_unnamed(ev, merged, idents)
    return merged, idents, raw_blocks


def _listed_blocks(
    ev: Evidence, lang: Language, listed: list[ListedProduct], model: OfflineModel
) -> tuple[list[list[int]], list[tuple[str, Any, str]]]:
    """With the list: each run of the listed path is its product's block; a run of a
    product on no list that the path could not name is cut and named as without a list."""
    from clipora_live_commerce.listed_path import decode_listed, introduces_other

    blocks: list[list[int]] = []
    idents: list[tuple[str, Any, str]] = []
    for a, b, k in decode_listed(ev, listed):
        if isinstance(k, int):
            for x, y, own in _split_not_listed(ev, a, b, k, lang):
                blocks.append([x, y])
                idents.append(
                    ("listed", k, listed[k].name) if own else _identity(ev, x, y, [], lang)
                )
        elif isinstance(k, str):
            blocks.append([a, b])
            idents.append(("name", k, k))
        elif introduces_other(ev, a):
            # The name the pitch opens with is the product's (a short pitch of it still counts).
            headline = ev.feats[a].headline or ""
            key = _phrase_key(headline, lang)
            ev.product_names.add(key)
            ev.names[a].add(key)
            blocks.append([a, b])
            idents.append(("name", key, headline))
        else:
            for x, y in split_pitch(ev, a, b, model.decoder):
                for u, v in split_at_name_change(ev, x, y):
                    blocks.append([u, v])
                    idents.append(_identity(ev, u, v, listed, lang))
    return blocks, idents


def _split_not_listed(
    ev: Evidence, a: int, b: int, k: int, lang: Language
) -> list[tuple[int, int, bool]]:
    """A listed product's run where the host says the product is not in the shop's list yet
    holds a product missing from the list, from the likeliest product change before that
    remark to the listed product's next sentence-opening name: (first, last, is the listed
    product's) for each piece."""
    from clipora_live_commerce.lexicon_talk import patterns

    cue = patterns(lang).not_listed_yet

    def text(i: int) -> str:
        # The recogniser may cut the remark in two ("...not in" / "the shop list yet").
        after = ev.feats[i + 1].line.text if i < b else ""
        return (ev.feats[i].line.text + " " + after).lower()

    said = [
        i for i in range(a, b + 1) if cue.search(text(i)) and ev.path_listed[i].get(k, 0.0) < 0.5
    ]
    if not said:
        return [(a, b, True)]
    # From the product's last mention that opens a sentence before the cue, the new product
    # starts where the gap model most sees a change (or a "next"/"finally").
    cue_line = said[0]
    heads = [i for i in range(a, cue_line) if ev.path_heads[i].get(k, 0.0) >= 0.5]
    lo = (heads[-1] + 1) if heads else a + 1
    if lo > cue_line:
        return [(a, b, True)]

    def change(i: int) -> float:
        return float(ev.p_boundary[i]) + (0.5 if ev.feats[i].start_cue else 0.0)

    start = max(range(lo, cue_line + 1), key=change)
    after = [i for i in range(cue_line + 1, b + 1) if ev.path_heads[i].get(k, 0.0) >= 0.5]
    end = after[0] - 1 if after else b
    out = [(a, start - 1, True), (start, end, False)]
    if end < b:
        out.append((end + 1, b, True))
    return out


def _fold_unnamed(
    ev: Evidence, blocks: list[list[int]], idents: list[tuple[str, Any, str]]
) -> tuple[list[list[int]], list[tuple[str, Any, str]]]:
    """With the seller's list, a block that names no listed product and no product of its
    own (no name a sentence opens with, no product noun) is the listed pitch it touches going
    on (a cut where the talk turned to a detail), not an unlisted product."""
    out: list[list[int]] = []
    out_ids: list[tuple[str, Any, str]] = []
    for k, ((a, b), ident) in enumerate(zip(blocks, idents, strict=True)):
        if ident[0] == "name" and not _names_own_product(ev, a, b, ident[1]):
            if out and out_ids[-1][0] == "listed" and _close(ev, out[-1][1], a):
                out[-1][1] = b
                continue
            nxt = k + 1
            if nxt < len(blocks) and idents[nxt][0] == "listed" and _close(ev, b, blocks[nxt][0]):
                blocks[nxt] = [a, blocks[nxt][1]]
                continue
        out.append([a, b])
        out_ids.append(ident)
    return out, out_ids


def _close(ev: Evidence, last: int, first: int) -> bool:
    return ev.feats[first].line.start_seconds - ev.feats[last].line.end_seconds <= FOLD_GAP


def _names_own_product(ev: Evidence, a: int, b: int, key: Any) -> bool:
    if key in ev.product_names:
        return True
    return any(ev.headline_names and ev.headline_names[i] == key for i in range(a, b + 1))


def _micro_pitch(ev: Evidence, a: int, b: int, kind: str, key: Any) -> bool:
    """A short block that is still a whole pitch: it names a product and sells it (a price, the
    link), as a 10-second flash sale does."""
    named = kind == "listed" or key in ev.product_names
    named = named and any(_names_product(ev, i, kind, key) for i in range(a, b + 1))
    sells = any(ev.line_raw[i][1] + ev.line_raw[i][2] > 0 for i in range(a, b + 1))
    return named and sells


def _names_product(ev: Evidence, i: int, kind: str, key: Any) -> bool:
    if kind == "listed":
        return ev.listed[i].get(key, 0.0) >= 0.5
    return key in ev.names[i]


def _is_aside(ev: Evidence, i: int) -> bool:
    """Chat (a sip of water, a greeting, shipping) with nothing that sells."""
    row = ev.line_raw[i]
    return bool(row[4:12].sum() > 0 and row[1] + row[2] + row[3] == 0)


def _is_break(ev: Evidence, i: int) -> bool:
    """A short break in the talk (a sip of water, "hold on", hello to a newcomer), not a story
    or a shipping note, which hosts tell about the product they are selling."""
    row = ev.line_raw[i]
    about_stream = row[4] + row[5] + row[9] + row[10]
    return bool(
        about_stream > 0
        and row[1] + row[2] + row[3] + row[6] + row[8] == 0
        and ev.feats[i].duration <= 3.0
    )


def _refine_edges(ev: Evidence, blocks: list[list]) -> None:
    """Smoothing keeps an aside that touches a pitch inside it, and drops a lead-in line that
    names the product but sells nothing yet ("first up, this water bottle"): a block's edge
    lines that are chat and do not name its product go; the line just before a block that
    names its product or announces it comes in."""
    taken = {i for a, b, _ in blocks for i in range(a, b + 1)}
    for blk in blocks:
        a, b, (kind, key, _) = blk
        while a < b and not _names_product(ev, a, kind, key) and not ev.feats[a].start_cue:
            if not _is_break(ev, a):
                break
            a += 1
        while b > a and not _names_product(ev, b, kind, key) and not ev.feats[b].cta:
            if not _is_break(ev, b):
                break
            b -= 1
        prev = a - 1
        if (
            prev >= 0
            and prev not in taken
            and (_names_product(ev, prev, kind, key) or ev.feats[prev].start_cue)
            and not _is_aside(ev, prev)
            and ev.feats[a].line.start_seconds - ev.feats[prev].line.end_seconds < 3.0
        ):
            a = prev
            taken.add(prev)
        blk[0], blk[1] = a, b


def _line_product(ev: Evidence, i: int) -> tuple[str, Any] | None:
    sure = [k for k, s in ev.listed[i].items() if s >= STRONG_MENTION]
    if len(sure) == 1:
        return ("listed", sure[0])
    if not ev.listed[i] and len(ev.names[i]) == 1:
        return ("name", next(iter(ev.names[i])))
    return None


def _rescue_returns(ev: Evidence, blocks: list[list]) -> list[list]:
    """A product said again outside any pitch, among chat ("lots of you asking about the
    bottle from earlier... still 29, link one"), is a return to it: the lines from that
    mention while the talk stays on it join its item. The line model alone reads such short
    returns as chat, for the chat around them."""
    known = {tuple(ident[:2]): ident for _, _, ident in blocks}
    taken = {i for a, b, _ in blocks for i in range(a, b + 1)}
    n = len(ev.feats)
    out = [list(b) for b in blocks]
    i = 0
    while i < n:
        ident = _line_product(ev, i) if i not in taken else None
        if ident is None or ident not in known:
            i += 1
            continue
        if ident[0] == "name" and ident[1] not in ev.product_names:
            i += 1
            continue
        b = i
        while b + 1 < n and b + 1 not in taken:
            nxt = b + 1
            other = _line_product(ev, nxt)
            if other is not None and other != ident:
                break
            gap = ev.feats[nxt].line.start_seconds - ev.feats[b].line.end_seconds
            row = ev.line_raw[nxt]
            selling = row[1] + row[2] + row[3] > 0 or ev.p_pitch[nxt] >= 0.25
            if gap > 3.0 or _is_aside(ev, nxt) or not (other == ident or selling):
                break
            b = nxt
        # A return sells again (a price, the link); naming it in chat ("my jacket") is not one.
        sells = any(ev.line_raw[k][1] + ev.line_raw[k][2] > 0 for k in range(i, b + 1))
        if sells and (not _is_aside(ev, i) or ev.feats[i].return_cue):
            out.append([i, b, known[ident]])
        i = b + 1
    return sorted(out, key=lambda blk: blk[0])


def _listed_identity(ev: Evidence, a: int, b: int, listed: list[ListedProduct]) -> int | None:
    lsum: Counter[int] = Counter()
    for i in range(a, b + 1):
        for k, s in ev.listed[i].items():
            lsum[k] += s
    t0 = ev.feats[a].line.start_seconds
    t1 = ev.feats[b].line.end_seconds
    for k, p in enumerate(listed):
        if p.start_seconds is not None and p.end_seconds is not None:
            overlap = min(t1, p.end_seconds) - max(t0, p.start_seconds)
            if overlap > 0.5 * (t1 - t0):
                lsum[k] += LISTED_MIN
    if lsum:
        top = lsum.most_common(2)
        k, s = top[0]
        second = top[1][1] if len(top) > 1 else 0.0
        if s >= LISTED_MIN:
            return k
        # Fewer mentions will do when they all point at one product.
        if s >= LISTED_WEAK and s >= LISTED_MARGIN * second:
            return k
    return None


def _identity(
    ev: Evidence, a: int, b: int, listed: list[ListedProduct], lang: Language
) -> tuple[str, Any, str]:
    """(kind, key, name) of the product a block is about: the listed product it names most;
    else the discovered name it says most; else its most salient phrase."""
    k = _listed_identity(ev, a, b, listed) if listed else None
    if k is not None:
        return ("listed", k, listed[k].name)
    nsum: Counter[str] = Counter()
    for i in range(a, b + 1):
        for key in ev.names[i]:
            nsum[key] += 1
        headline = ev.headline_names[i] if ev.headline_names else None
        if headline is not None:
            # The name a pitch opens with names it, however often other things are said.
            nsum[headline] += HEADLINE_WEIGHT
    if nsum:
        key, c = nsum.most_common(1)[0]
        if key in ev.name_to_listed and listed:
            k = ev.name_to_listed[key]
            return ("listed", k, listed[k].name)
        if c >= 2:
            return ("name", key, key)
    name = _salient_name(ev, a, b, lang)
    return ("name", _phrase_key(name, lang), name)


_EN_DET = r"\b(?:this|these|the|our|that|those|called)\s+(?:[\w'-]+\s+){0,2}"
_ZH_DET = r"(?:这[款个件条双瓶套支盒把台只宽块罐根副串]|就是|叫|咱们家|我们家)[^，。,.!?！？]{0,4}"


def _salient_name(ev: Evidence, a: int, b: int, lang: Language) -> str:
    """The name a block's product goes by: a phrase said often in the block and seldom
    elsewhere, that looks like a product's name (a noun, a known product noun), said after
    "this"/"这款", early in the block; a name found across the stream counts more."""
    from clipora_live_commerce.candidates import name_likeness

    if ev.phrase_totals is None:
        ev.phrase_totals = Counter(p for f in ev.feats for p in set(f.phrases))
    totals = ev.phrase_totals
    found = {_phrase_key(c.name, lang) for c in ev.candidates}
    block: Counter[str] = Counter()
    early: set[str] = set()
    anchored: Counter[str] = Counter()
    det = _ZH_DET if lang == "zh" else _EN_DET
    for n, i in enumerate(range(a, b + 1)):
        f = ev.feats[i]
        said = set(f.phrases)
        block.update(said)
        if n < 3:
            early |= said
        text = f.line.text if lang == "zh" else f.line.text.lower()
        for p in said:
            tail = re.escape(p) if lang == "zh" else r"\b" + re.escape(p).replace(r"\ ", r"\w*\s+")
            if re.search(det + tail, text):
                anchored[p] += 1
    if not block:
        return "商品" if lang == "zh" else "product"

    def score(p: str) -> float:
        tf = block[p]
        length = len(p) if lang == "zh" else p.count(" ") + 1
        return (
            tf
            * (tf / max(tf, totals[p])) ** 0.7
            * name_likeness(p, lang)
            * (1 + 1.5 * min(anchored[p], 2))
            * (1.3 if p in early else 1.0)
            * (1 + 0.15 * min(length - 1, 2))
            * (1.5 if _phrase_key(p, lang) in found else 1.0)
        )

    return max(sorted(block), key=score)
