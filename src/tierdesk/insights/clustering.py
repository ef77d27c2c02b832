"""Clusters of similar requests: pure functions, no database (the finder feeds them).

A request is a `Doc`: its blocking keys (the same catalog request type, kind of request,
solution or topic, most specific first) and the tokens of its subject and description.
Tokens come from the search engine's Korean-aware tokenizer (`tierdesk.search.tokens`:
Hangul bigrams and stems, Latin words; its query terms, without the bigrams that straddle a
particle or ending, 터가 in 데이터가), so 환경을 and 환경이 share 환경, and 개발환경
shares every bigram but one with 개발 환경.

Within a block (all requests with one key), requests are clustered by text:

- Words that say nothing — polite endings and fillers (주세요, 합니다, please) and any
  token in more than `COMMON_SHARE` of all requests — are dropped.
- The rest weigh by their rarity over the whole window (inverse document frequency), and
  two requests are as similar as the weighted Jaccard of their token sets.
- Requests are taken oldest first; each joins the cluster holding its most similar
  *exemplar* (a cluster keeps up to `EXEMPLARS` members of different wordings), when
  that similarity reaches `threshold`; otherwise it starts a cluster. Clusters never
  merge, so a chain of small steps cannot drift from one request to an unrelated one.
- Which exemplars to compare with comes from MinHash buckets (`HASHES` one-row bands:
  two requests meet in a bucket with a probability equal to their token Jaccard, so a
  pair at Jaccard 0.2 meets in at least one of 16 with probability 0.97), so each
  request is compared with a few exemplars, never with every cluster: the work grows
  with the number of requests, not its square.

Blocks are taken in key order: a request in a cluster of at least `min_size` under its
catalog request type is not looked at again under its solution or topic.
"""

from __future__ import annotations

import math
import random
import zlib
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tierdesk.search.tokens import query_terms

COMMON_SHARE = 0.2
"""A token found in more than this share of all requests (when there are at least
`COMMON_MIN_DOCS`) is a filler word here."""
COMMON_MIN_DOCS = 50
DEFAULT_THRESHOLD = 0.25
EXEMPLARS = 8
HASHES = 16
BUCKET_LOOK = 32
"""How many of a bucket's latest exemplars one request is compared with."""
DESCRIPTION_CHARS = 600
SIGNATURE_SIZE = 8

# Polite endings, fillers and greetings of requests in Korean and English: tokens as
# `index_tokens` makes them.
_STOP_TEXT = """
주세 세요 주세요 니다 합니 습니 드립 립니 부탁 탁드 부탁드 해주 해 주 좀 수 있나
나요 있나요 싶습 싶어 어요 아요 해요 안녕 녕하 하세 안녕하 감사 사합 감사합 수고
고하 확인 인부 바랍 랍니 요청 청드 요청드 청합 요청합 드려 려요 됩니 됩니다 가능
능한 할까 까요 에서 으로 에게 까지 부터 에는 어떻 떻게 어떻게 하나 하는 는데 있는
는지 인지 합니다 입니 입니다 그리 리고 a an the to of in on for and or is are be it
i me my we our you your us this that with can could would please hi hello thanks
thank regards need want help get have do does not from at by as so if but how what
why when where which show there 방법 문의 궁금 궁금합 관련 관련된 련된 이상 어제
오늘 지금 계속
"""
STOP_TOKENS = frozenset(_STOP_TEXT.split())


@dataclass
class Doc:
    id: int
    keys: tuple[Hashable, ...]
    """Blocking keys, most specific first (None entries are skipped)."""
    tokens: frozenset[str]


class Tokenizer:
    """Request text → tokens, remembering each subject and description it has seen
    (recurring requests repeat their words: a catalog item's subject, a pasted error)."""

    def __init__(self) -> None:
        self._seen: dict[str, frozenset[str]] = {}

    def part(self, text: str) -> frozenset[str]:
        found = self._seen.get(text)
        if found is None:
            found = frozenset(
                term.text
                for term in query_terms(text, prefix_last=False)
                if term.weight >= 1.0 and term.text not in STOP_TOKENS and not term.text.isdigit()
            )
            if len(self._seen) < 500_000:
                self._seen[text] = found
        return found

    def __call__(self, subject: str, description: str) -> frozenset[str]:
        # Runs never span a line break, so the parts' tokens are the whole text's.
        return self.part(subject) | self.part(description[:DESCRIPTION_CHARS])


def text_tokens(subject: str, description: str) -> frozenset[str]:
    return Tokenizer()(subject, description)


@dataclass
class Cluster:
    key: Hashable
    members: list[int] = field(default_factory=list)
    exemplars: list[int] = field(default_factory=list)  # indexes into the block's docs
    counts: Counter[str] = field(default_factory=Counter)

    def signature(self, weights: dict[str, float], size: int = SIGNATURE_SIZE) -> list[str]:
        """The tokens that characterise the cluster: frequent in it, rare elsewhere."""
        ranked = sorted(
            self.counts.items(), key=lambda kv: (-kv[1] * weights.get(kv[0], 1.0), kv[0])
        )
        return [token for token, n in ranked[:size] if n * 2 >= len(self.members)] or [
            token for token, _n in ranked[:3]
        ]


class Weights:
    """Inverse document frequency over all requests looked at, and the filler tokens."""

    def __init__(self, docs: Sequence[frozenset[str]]) -> None:
        df: Counter[str] = Counter()
        for tokens in docs:
            df.update(tokens)
        n = max(len(docs), 1)
        self.common = (
            frozenset(t for t, c in df.items() if c > COMMON_SHARE * n)
            if n >= COMMON_MIN_DOCS
            else frozenset()
        )
        self.idf = {t: math.log(1 + n / c) for t, c in df.items()}

    def in_block(self, docs: Sequence[frozenset[str]]) -> dict[str, float]:
        """What a token says within one block: how many of the block's requests have it,
        times how rare it is over all requests. The words a block's requests share
        (권한 among access requests) count most; names and one-off words little; words
        every request has (방법, 문의) little too."""
        df: Counter[str] = Counter()
        for tokens in docs:
            df.update(tokens)
        n = len(docs)
        floor = 1 / n
        return {t: max(c / n, floor) * self.idf[t] for t, c in df.items()}


MIN_SHARED = 2
"""Two requests that share one word only (데이터, error) are not alike, however rare it is."""


def _words(tokens: frozenset[str]) -> int:
    """How many words a set of shared tokens stands for: a token inside another shared one
    (데이, 이터 in 데이터) is the same word."""
    kept: list[str] = []
    for token in sorted(tokens, key=len, reverse=True):
        if not any(token in longer for longer in kept):
            kept.append(token)
    return len(kept)


def similarity(
    a: frozenset[str],
    b: frozenset[str],
    weights: dict[str, float],
    mass_a: float | None = None,
    mass_b: float | None = None,
    floor: float = 0.0,
) -> float:
    """Weighted Jaccard of two token sets; 0 when they share fewer than `MIN_SHARED`
    words, or when it is below `floor` (the caller's best so far). `mass_a`/`mass_b` are
    the sets' total weights when the caller knows them."""
    common = a & b
    if len(common) < MIN_SHARED:
        return 0.0
    shared = sum(map(weights.__getitem__, common))
    if mass_a is None:
        mass_a = sum(map(weights.__getitem__, a))
    if mass_b is None:
        mass_b = sum(map(weights.__getitem__, b))
    union = mass_a + mass_b - shared
    score = shared / union if union else 0.0
    if score < floor or _words(common) < MIN_SHARED:
        return 0.0
    return score


class _MinHash:
    def __init__(self, seed: int = 12) -> None:
        rng = random.Random(seed)  # noqa: S311 - hashing, not secrets
        self.masks = [rng.getrandbits(32) for _ in range(HASHES)]
        self._hashes: dict[str, int] = {}

    def token_hashes(self, tokens: Iterable[str]) -> list[int]:
        cache = self._hashes
        out = []
        for t in tokens:
            h = cache.get(t)
            if h is None:
                h = cache[t] = zlib.crc32(t.encode())
            out.append(h)
        return out

    def signature(self, tokens: Iterable[str]) -> list[int]:
        hashes = self.token_hashes(tokens)
        if not hashes:
            return []
        # XOR with a random mask permutes 32-bit values: one cheap hash function each.
        return [min(map(mask.__xor__, hashes)) for mask in self.masks]


def _cluster_block(
    key: Hashable,
    docs: Sequence[frozenset[str]],
    idf: dict[str, float],
    threshold: float,
    minhash: _MinHash,
    min_size: int,
) -> list[Cluster]:
    clusters: list[Cluster] = []
    owner: list[int] = []  # doc index → cluster index
    buckets: list[dict[int, list[int]]] = [defaultdict(list) for _ in range(HASHES)]
    mass = [sum(map(idf.__getitem__, tokens)) for tokens in docs]
    same: dict[frozenset[str], int] = {}  # words seen before → their cluster
    for i, tokens in enumerate(docs):
        known = same.get(tokens)
        if known is not None:  # the same words again: the same cluster, no comparing
            owner.append(known)
            clusters[known].members.append(i)
            clusters[known].counts.update(tokens)
            continue
        sig = minhash.signature(tokens)
        seen: set[int] = set()
        best, best_score = -1, threshold
        for band, value in enumerate(sig):
            bucket = buckets[band].get(value)
            if not bucket:
                continue
            for j in bucket[-BUCKET_LOOK:]:
                if j in seen:
                    continue
                seen.add(j)
                score = similarity(tokens, docs[j], idf, mass[i], mass[j], best_score)
                if score >= best_score and (score > best_score or owner[j] < best):
                    best, best_score = owner[j], score
        if best < 0:
            cluster = Cluster(key)
            clusters.append(cluster)
            best = len(clusters) - 1
        else:
            cluster = clusters[best]
        owner.append(best)
        same[tokens] = best
        cluster.members.append(i)
        cluster.counts.update(tokens)
        if len(cluster.exemplars) < EXEMPLARS and (
            not cluster.exemplars or best_score < 0.8 or len(cluster.exemplars) < 2
        ):
            cluster.exemplars.append(i)
            for band, value in enumerate(sig):
                buckets[band][value].append(i)
    _gather(clusters, docs, idf, threshold, min_size)
    return clusters


CORE_SHARE = 0.4
"""A token in at least this share of a cluster's requests is part of its core."""


def _gather(
    clusters: list[Cluster],
    docs: Sequence[frozenset[str]],
    weights: dict[str, float],
    threshold: float,
    min_size: int,
) -> None:
    """Second pass: a request left in a cluster too small to count joins the large cluster
    whose core (the tokens most of its requests share) it is most similar to — the first
    requests of a cluster only met its first wordings. Large clusters are few (at most one
    per `min_size` requests), and only those sharing a core token are compared."""
    large = [c for c in clusters if len(c.members) >= min_size]
    if not large:
        return
    cores: list[frozenset[str]] = []
    postings: dict[str, list[int]] = defaultdict(list)
    for index, cluster in enumerate(large):
        need = CORE_SHARE * len(cluster.members)
        core = frozenset(t for t, n in cluster.counts.items() if n >= need)
        cores.append(core)
        for token in core:
            postings[token].append(index)
    for cluster in clusters:
        if len(cluster.members) >= min_size:
            continue
        kept = []
        for i in cluster.members:
            tokens = docs[i]
            near = {index for t in tokens for index in postings.get(t, ())}
            best, best_score = -1, threshold
            for index in sorted(near):
                score = similarity(tokens, cores[index], weights, floor=best_score)
                if score > best_score:
                    best, best_score = index, score
            if best < 0:
                kept.append(i)
            else:
                large[best].members.append(i)
                large[best].counts.update(tokens)
        cluster.members = kept


@dataclass
class Found:
    """A cluster of at least `min_size` requests under one key."""

    key: Hashable
    ids: list[int]
    signature: list[str]


def find_clusters(
    docs: Sequence[Doc],
    *,
    min_size: int = 5,
    threshold: float = DEFAULT_THRESHOLD,
    key_words: Mapping[Hashable, frozenset[str]] | None = None,
) -> list[Found]:
    """Clusters of at least `min_size` similar requests. `docs` in the order to take them
    (oldest first). Each request is in at most one cluster. `key_words` are tokens a key
    itself puts in its requests' words (a solution's name in every subject about it):
    they say nothing about what is asked and are left out within that key's block."""
    weights = Weights([d.tokens for d in docs])
    common = weights.common
    texts = [d.tokens - common if common else d.tokens for d in docs]
    minhash = _MinHash()
    taken: set[int] = set()
    found: list[Found] = []
    depth = max((len(d.keys) for d in docs), default=0)
    for level in range(depth):
        blocks: dict[Hashable, list[int]] = defaultdict(list)
        for index, doc in enumerate(docs):
            if index in taken or level >= len(doc.keys) or doc.keys[level] is None:
                continue
            if texts[index]:
                blocks[doc.keys[level]].append(index)
        for key in sorted(blocks, key=repr):
            members = blocks[key]
            if len(members) < min_size:
                continue
            named = (key_words or {}).get(key)
            block_texts = [texts[i] - named if named else texts[i] for i in members]
            block_weights = weights.in_block(block_texts)
            for cluster in _cluster_block(
                key, block_texts, block_weights, threshold, minhash, min_size
            ):
                if len(cluster.members) < min_size:
                    continue
                indexes = [members[i] for i in cluster.members]
                taken.update(indexes)
                found.append(
                    Found(key, [docs[i].id for i in indexes], cluster.signature(block_weights))
                )
    found.sort(key=lambda f: (-len(f.ids), repr(f.key)))
    return found
