"""The search engine's public API: index documents of a kind, search them, suggest them.

Callers (knowledge articles, tickets) keep their own objects; this app keeps, per
`(kind, object_id)`, the title and body it was given and the tokens computed from them
(`tierdesk.search.tokens`), in an FTS5 table on SQLite or a weighted `tsvector` with a GIN
index on PostgreSQL. Visibility is the caller's: pass `among` (a queryset of the objects the
user may see, or their ids) and nothing outside it is ranked or returned.

How a query runs (docs/search.md): its terms become clauses (a token, a prefix, or a typo'd
word with its corrections), each with its document frequency; the database finds the
candidates that contain the informative clauses, ranked by its own function (FTS5 `bm25`,
PostgreSQL `ts_rank`), and the best candidates are re-ranked here with BM25 over every
clause, title weighted above body — the same final ranking on both databases.

This API is stable.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.html import escape

from tierdesk.common import clock
from tierdesk.search.models import SearchDocument, SearchTerm
from tierdesk.search.tokens import QueryTerm, index_tokens, matching_spans, query_terms

__all__ = [
    "Hit",
    "index",
    "index_many",
    "kinds",
    "register_kind",
    "reindex",
    "remove",
    "search",
    "suggest",
]


@dataclass(frozen=True)
class Hit:
    """One ranked result. `title_html` and `snippet_html` are safe HTML: the original text,
    escaped, with `<mark>` around the words that matched."""

    object_id: int
    score: float
    title_html: str
    snippet_html: str


Among = QuerySet[Any] | Iterable[int] | None

_BATCH = 1000
_MAX_TERM = 100  # longer tokens are indexed but get no document frequency
_TITLE_WEIGHT = 3.0
_K1 = 1.2
_B = 0.5
_SNIPPET = 160
# Candidates the database hands to the re-ranking, and the postings (sum of document
# frequencies) it may read to find them before common clauses are left to the re-ranking.
_CANDIDATES = 60
_SUGGEST_CLAUSES = 16  # a ticket's most informative clauses find its suggestions
_POSTINGS = 3000
_RANKED = 5000  # PostgreSQL: matches ts_rank reads at most (the fallback: _RANKED_MORE)
_RANKED_MORE = 1500
_TYPO_WEIGHT = 0.7
_PREFIX_WEIGHT = 0.8


# ---------------------------------------------------------------------------------------
# Indexing


def _row(kind: str, object_id: int, title: str, body: str, language: str) -> SearchDocument:
    return SearchDocument(
        kind=kind,
        object_id=object_id,
        language=language[:16],
        title=title,
        body=body,
        title_tokens=" ".join(index_tokens(title)),
        tokens=" ".join(index_tokens(body)),
        updated_at=clock.now(),
    )


def _distinct_terms(doc: SearchDocument | tuple[str, str]) -> set[str]:
    title_tokens, tokens = (
        (doc.title_tokens, doc.tokens) if isinstance(doc, SearchDocument) else doc
    )
    terms = set(title_tokens.split()) | set(tokens.split())
    return {t for t in terms if len(t) <= _MAX_TERM}


def _add_frequencies(kind: str, delta: Counter[str]) -> None:
    rows = [(kind, term, n) for term, n in delta.items() if n]
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO search_searchterm (kind, term, df) VALUES (%s, %s, %s) "
            "ON CONFLICT (kind, term) DO UPDATE SET df = search_searchterm.df + excluded.df",
            rows,
        )


def _replace(kind: str, docs: Sequence[SearchDocument]) -> None:
    """Insert `docs`, replacing any indexed under the same ids; keep frequencies in step."""
    delta: Counter[str] = Counter()
    ids = [d.object_id for d in docs]
    old = SearchDocument.objects.filter(kind=kind, object_id__in=ids)
    for title_tokens, tokens in old.values_list("title_tokens", "tokens"):
        delta.subtract(_distinct_terms((title_tokens, tokens)))
        delta[""] -= 1
    old.delete()
    for doc in docs:
        delta.update(_distinct_terms(doc))
        delta[""] += 1
    SearchDocument.objects.bulk_create(docs, batch_size=500)
    _add_frequencies(kind, delta)


def index(
    kind: str, object_id: int, *, title: str, body: str, language: str = "", new: bool = False
) -> None:
    """Index (insert or replace) one document of `kind` ("article", "ticket", …). `new`:
    the object was just created, so nothing is indexed under its id yet — two INSERTs and
    no lookup (the caller's transaction holds them; IntegrityError if it was indexed)."""
    row = _row(kind, object_id, title, body, language)
    if new:
        with transaction.atomic(savepoint=False):
            row.save(force_insert=True)
            delta = Counter(_distinct_terms(row))
            delta[""] += 1
            _add_frequencies(kind, delta)
        return
    with transaction.atomic():
        _replace(kind, [row])


def index_many(kind: str, rows: Iterable[tuple[int, str, str, str]]) -> int:
    """Index many documents at once: rows of `(object_id, title, body, language)`, each
    inserted or replaced. Returns how many rows were indexed. For bulk loads (≥ 1,000/s)."""
    count = 0
    batch: dict[int, SearchDocument] = {}
    with transaction.atomic():
        for object_id, title, body, language in rows:
            batch[object_id] = _row(kind, object_id, title, body, language)
            if len(batch) >= _BATCH:
                _replace(kind, list(batch.values()))
                count += len(batch)
                batch = {}
        if batch:
            _replace(kind, list(batch.values()))
            count += len(batch)
    return count


Rows = Callable[[], Iterable[tuple[int, str, str, str]]]
_kinds: dict[str, Rows] = {}


def register_kind(kind: str, rows: Rows) -> None:
    """Declare a kind of document and how to read all of them again: `rows()` yields
    `(object_id, title, body, language)` as `index_many` takes them. Apps call this from
    `AppConfig.ready`; `tierdesk reindex` uses it."""
    _kinds[kind] = rows


def kinds() -> list[str]:
    return sorted(_kinds)


def reindex(kind: str) -> int:
    """Index every document of a registered `kind` afresh (after a change to how text is
    tokenised or what is indexed), in one transaction: readers see the old index until it
    commits. Returns how many documents were indexed; KeyError for an unknown kind."""
    rows = _kinds[kind]
    with transaction.atomic():
        SearchDocument.objects.filter(kind=kind).delete()
        SearchTerm.objects.filter(kind=kind).delete()
        return index_many(kind, rows())


def remove(kind: str, object_id: int) -> None:
    """Forget one document (nothing happens if it was never indexed)."""
    with transaction.atomic():
        delta: Counter[str] = Counter()
        old = SearchDocument.objects.filter(kind=kind, object_id=object_id)
        for title_tokens, tokens in old.values_list("title_tokens", "tokens"):
            delta.subtract(_distinct_terms((title_tokens, tokens)))
            delta[""] -= 1
        old.delete()
        _add_frequencies(kind, delta)


# ---------------------------------------------------------------------------------------
# Querying


@dataclass
class _Clause:
    """One thing a query asks for: exact tokens and/or prefixes, any of which matches."""

    exact: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    weight: float = 1.0
    df: int = 0
    word: int = 0

    def matches(self, token: str) -> bool:
        return token in self.exact or (
            bool(self.prefixes) and token.startswith(tuple(self.prefixes))
        )

    def count(self, counts: Counter[str]) -> int:
        """How many of the counted tokens this clause matches."""
        n = sum(counts.get(t, 0) for t in self.exact)
        if self.prefixes:
            starts = tuple(self.prefixes)
            n += sum(c for t, c in counts.items() if t.startswith(starts) and t not in self.exact)
        return n

    def fts(self) -> list[str]:
        return [f'"{t}"' for t in sorted(self.exact)] + [f'"{p}"*' for p in sorted(self.prefixes)]

    def tsquery(self) -> list[str]:
        return [f"'{t}'" for t in sorted(self.exact)] + [f"'{p}':*" for p in sorted(self.prefixes)]


def _frequencies(kind: str, terms: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(terms) | {""})
    return dict(SearchTerm.objects.filter(kind=kind, term__in=wanted).values_list("term", "df"))


def _live_prefixes(kind: str, prefixes: set[str]) -> set[str]:
    """The prefixes that begin some indexed token of `kind` (a syllable being typed
    offers 28 completions; most begin nothing, and each one left in the query costs the
    full-text index a range scan); one query."""
    ordered = sorted(prefixes)
    values = ", ".join(["(%s)"] * len(ordered))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v(p) AS (VALUES {values}) SELECT v.p FROM v WHERE EXISTS ("  # noqa: S608
            "SELECT 1 FROM search_searchterm t WHERE t.kind = %s AND t.term >= v.p "
            "AND t.term < v.p || %s AND t.df > 0)",
            [*ordered, kind, "\uffff"],
        )
        return {p for (p,) in cursor.fetchall()}


def _prefix_frequency(kind: str, prefixes: set[str]) -> int:
    """Documents containing some token with one of `prefixes`, estimated (capped) from the
    40 largest frequencies among those tokens; one query."""
    ranges = " OR ".join(["(term >= %s AND term < %s)"] * len(prefixes))
    bounds = [b for p in sorted(prefixes) for b in (p, p + "\uffff")]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT df FROM search_searchterm WHERE kind = %s AND ({ranges}) "  # noqa: S608
            "ORDER BY df DESC LIMIT 40",
            [kind, *bounds],
        )
        return sum(df for (df,) in cursor.fetchall())


def _osa(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (Levenshtein plus adjacent transpositions),
    giving up (returning limit + 1) once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _corrections(kind: str, word: str) -> list[tuple[str, int]]:
    """Indexed words within one edit (two for words of 8+ letters) of a word that matches
    nothing: same first letter, similar length; the most frequent three."""
    limit = 1 if len(word) < 8 else 2
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT term, df FROM search_searchterm WHERE kind = %s AND term >= %s "
            "AND term < %s AND length(term) BETWEEN %s AND %s AND df > 0",
            [kind, word[0], chr(ord(word[0]) + 1), len(word) - limit, len(word) + limit],
        )
        found = [(t, df) for t, df in cursor.fetchall() if _osa(word, t, limit) <= limit]
    return sorted(found, key=lambda item: -item[1])[:3]


def _is_hangul(text: str) -> bool:
    return all("\uac00" <= ch <= "\ud7a3" for ch in text)


def _jamo_variants(bigram: str) -> list[str]:
    """Every two-syllable string that differs from `bigram` by one jamo (initial, vowel or
    final consonant) of one syllable: 실퍠 → 실패, 오루 → 오류."""
    variants: list[str] = []
    for position in (0, 1):
        code = ord(bigram[position]) - 0xAC00
        if not 0 <= code <= 0xD7A3 - 0xAC00:
            continue
        lead, vowel, final = code // 588, (code % 588) // 28, code % 28
        for syllable in (
            [(lead2, vowel, final) for lead2 in range(19)]
            + [(lead, vowel2, final) for vowel2 in range(21)]
            + [(lead, vowel, final2) for final2 in range(28)]
        ):
            other = chr(0xAC00 + syllable[0] * 588 + syllable[1] * 28 + syllable[2])
            variant = bigram[:position] + other + bigram[position + 1 :]
            if variant != bigram:
                variants.append(variant)
    return variants


def _hangul_corrections(kind: str, bigrams: list[str]) -> dict[str, list[tuple[str, int]]]:
    """For Hangul bigrams that match nothing, the indexed bigrams one jamo away (the most
    frequent three each), looked up in one query."""
    variants = {b: _jamo_variants(b) for b in bigrams[:4]}
    wanted = {v for vs in variants.values() for v in vs}
    if not wanted:
        return {}
    found = dict(
        SearchTerm.objects.filter(kind=kind, term__in=wanted, df__gt=0).values_list("term", "df")
    )
    return {
        b: sorted(((v, found[v]) for v in vs if v in found), key=lambda item: -item[1])[:3]
        for b, vs in variants.items()
    }


def _clauses(kind: str, terms: list[QueryTerm]) -> tuple[list[_Clause], int]:
    """The query's clauses with their frequencies (clauses matching nothing are dropped),
    and the number of documents of the kind."""
    exact_terms = [t for t in terms if not t.prefix]
    exact = [t.text for t in exact_terms]
    freq = _frequencies(kind, exact)
    documents = max(freq.get("", 0), 1)
    clauses: list[_Clause] = []
    # A Hangul bigram that matches nothing is a typo only when nothing else of its word
    # matched: in 승인흐름이 the unknown 인흐 joins two words others write apart.
    found_words = {t.word for t in exact_terms if freq.get(t.text) and t.weight >= 1.0}
    hangul = _hangul_corrections(
        kind,
        [
            t.text
            for t in exact_terms
            if not freq.get(t.text)
            and len(t.text) == 2
            and _is_hangul(t.text)
            and t.word not in found_words
        ],
    )
    for term in exact_terms:
        text = term.text
        df = freq.get(text, 0)
        fixes: list[tuple[str, int]] = []
        if df:
            clauses.append(_Clause(exact={text}, df=df, weight=term.weight, word=term.word))
            continue
        if hangul.get(text):
            fixes = hangul[text]
        elif text.isascii() and text.isalpha() and len(text) >= 4:
            fixes = _corrections(kind, text)
        if fixes:
            clauses.append(
                _Clause(
                    exact={t for t, _ in fixes},
                    df=min(documents, sum(df for _, df in fixes)),
                    weight=_TYPO_WEIGHT * term.weight,
                    word=term.word,
                )
            )
    # The prefix terms come from the last word; they form one clause (a syllable that may
    # still grow gives up to 28 prefixes).
    typed = {t.text for t in terms if t.prefix}
    prefixes = _live_prefixes(kind, typed) if len(typed) > 1 else typed
    last = max((t.word for t in terms if t.prefix), default=0)
    df = min(documents, _prefix_frequency(kind, prefixes)) if prefixes else 0
    if df:
        weight = max(t.weight for t in terms if t.prefix) * _PREFIX_WEIGHT
        clauses.append(_Clause(prefixes=prefixes, df=df, weight=weight, word=last))
    elif len(typed) == 1:
        (word,) = typed
        fixes = _corrections(kind, word) if word.isascii() and word.isalpha() else []
        if fixes and len(word) >= 4:
            clauses.append(
                _Clause(
                    exact={t for t, _ in fixes},
                    df=min(documents, sum(df for _, df in fixes)),
                    weight=_TYPO_WEIGHT,
                    word=last,
                )
            )
    return clauses, documents


def _among_sql(among: Among) -> tuple[str, list[Any]] | None:
    """SQL restricting d.object_id to `among`; None when `among` allows nothing."""
    if among is None:
        return "", []
    if isinstance(among, QuerySet):
        qs = among.order_by()
        if not qs.query.values_select:
            qs = qs.values("pk")
        sql, params = qs.query.sql_with_params()
        return f" AND d.object_id IN ({sql})", list(params)
    ids = [int(i) for i in among]
    if not ids:
        return None
    if connection.vendor == "postgresql":
        return " AND d.object_id = ANY(%s)", [ids]
    return " AND d.object_id IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]


def _candidates(
    kind: str,
    groups: list[list[_Clause]],
    among_sql: tuple[str, list[Any]],
    *,
    ranked: int = _RANKED,
    wanted: int = _CANDIDATES,
) -> list[int]:
    """Ids (SearchDocument.id) of the documents matching any of `groups` (a group matches
    when all its clauses do), best first by the database's own ranking, at most
    `wanted` (_CANDIDATES, or a larger `limit`)."""
    # `where` is SQL from Django's compiler (or a constant) with its own parameters; every
    # value below is a parameter.
    where, params = among_sql
    if connection.vendor == "sqlite":
        match = " OR ".join(
            "(" + " AND ".join("(" + " OR ".join(c.fts()) + ")" for c in group) + ")"
            for group in groups
        )
        sql = (
            "SELECT d.id FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid "  # noqa: S608
            f"WHERE search_fts MATCH %s AND d.kind = %s{where} "
            f"ORDER BY bm25(search_fts, {_TITLE_WEIGHT}, 1.0) LIMIT %s"
        )
        args: list[Any] = [match, kind, *params, wanted]
    elif connection.vendor == "postgresql":
        tsquery = " | ".join(
            "(" + " & ".join("(" + " | ".join(c.tsquery()) + ")" for c in group) + ")"
            for group in groups
        )
        # ts_rank reads each match's vector: at most `ranked` matches are ranked (the
        # groups keep the rare ones well under it; a fallback over common words is cut).
        sql = (
            "SELECT m.id FROM (SELECT d.id, d.vector, q.q FROM search_searchdocument d, "  # noqa: S608
            "to_tsquery('simple', %s) q (q) "
            f"WHERE d.vector @@ q.q AND d.kind = %s{where} LIMIT %s) m "
            "ORDER BY ts_rank(m.vector, m.q) DESC LIMIT %s"
        )
        args = [tsquery, kind, *params, max(ranked, wanted), wanted]
    else:  # pragma: no cover - the settings allow only these two
        raise NotImplementedError(f"search on {connection.vendor}")
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return [row[0] for row in cursor.fetchall()]


def _finding(clauses: list[_Clause]) -> list[list[_Clause]]:
    """The groups that find the candidates. Weak clauses (a bigram straddling a particle)
    find nothing when others exist. The rarest clauses find alone while the postings they
    read stay under _POSTINGS; the commoner ones, which a document matching only one of
    them would never rank high for, find in pairs (both in the document) — the four most
    informative of them, six pairs."""
    strong = [c for c in clauses if c.weight >= 0.5] or clauses
    by_rarity = sorted(strong, key=lambda c: c.df)
    groups: list[list[_Clause]] = []
    postings = 0
    rest: list[_Clause] = []
    for clause in by_rarity:
        if not groups or postings + clause.df <= _POSTINGS:
            groups.append([clause])
            postings += clause.df
        else:
            rest.append(clause)
    common = rest[:3]
    groups.extend([a, b] for i, a in enumerate(common) for b in common[i + 1 :])
    if len(common) == 1:
        # One common clause has no partner among the common ones: it finds together with
        # each rarer one (승인 with 흐름), which costs no more than the rarer one alone.
        groups.extend([common[0], group[0]] for group in groups[:3])
    return groups


def _idf(df: int, documents: int) -> float:
    return math.log(1 + (documents - df + 0.5) / (df + 0.5))


def _score(
    clauses: list[_Clause], documents: int, words: int, title: list[str], body: list[str]
) -> float:
    """BM25 over the clauses, a title token counting _TITLE_WEIGHT body tokens (BM25F),
    times the share of the query's words the document matches (Lucene's classic
    coordination factor; a word matched only through a weak clause counts that little),
    and once more by the share its title matches: an article is what its title says."""
    length = _TITLE_WEIGHT * len(title) + len(body)
    norm = _K1 * (1 - _B + _B * length / 80.0)
    score = 0.0
    matched: dict[int, float] = {}
    in_title: dict[int, float] = {}
    title_counts, body_counts = Counter(title), Counter(body)
    for clause in clauses:
        title_tf = clause.count(title_counts)
        tf = _TITLE_WEIGHT * title_tf + clause.count(body_counts)
        if tf:
            score += clause.weight * _idf(clause.df, documents) * tf * (_K1 + 1) / (tf + norm)
            matched[clause.word] = max(matched.get(clause.word, 0.0), clause.weight)
        if title_tf:
            in_title[clause.word] = max(in_title.get(clause.word, 0.0), clause.weight)
    words = max(words, 1)
    return score * sum(matched.values()) / words * (1 + sum(in_title.values()) / words)


def _marked(text: str, clauses: list[_Clause]) -> list[tuple[int, int]]:
    exact: set[str] = set().union(*(c.exact for c in clauses))
    prefixes = tuple(p for c in clauses for p in c.prefixes)
    found = sorted((s.start, s.end) for s in matching_spans(text, exact, prefixes))
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _html(text: str, marks: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    end = len(text) if end is None else end
    parts: list[str] = []
    at = start
    for m_start, m_end in marks:
        if m_end <= start or m_start >= end:
            continue
        m_start, m_end = max(m_start, start), min(m_end, end)
        parts.append(escape(text[at:m_start]))
        parts.append(f"<mark>{escape(text[m_start:m_end])}</mark>")
        at = m_end
    parts.append(escape(text[at:end]))
    return "".join(parts)


def _snippet(body: str, clauses: list[_Clause]) -> str:
    """About _SNIPPET characters of `body` around its densest matches, marked."""
    marks = _marked(body, clauses)
    if len(body) <= _SNIPPET:
        return _html(body, marks)
    best, best_count = 0, -1
    for m_start, _ in marks:
        window_start = max(0, m_start - 30)
        count = sum(1 for s, _ in marks if window_start <= s < window_start + _SNIPPET)
        if count > best_count:
            best, best_count = window_start, count
    start = best
    if start:
        space = body.rfind(" ", max(0, start - 15), start + 1)
        start = space + 1 if space >= 0 else start
    end = min(len(body), start + _SNIPPET)
    if end < len(body):
        space = body.rfind(" ", end - 20, end)
        end = space if space > start else end
    html = _html(body, marks, start, end)
    return ("…" if start else "") + html.strip() + ("…" if end < len(body) else "")


def _run(kind: str, text: str, limit: int, among: Among, *, most_informative: int = 0) -> list[Hit]:
    if limit <= 0:
        return []
    terms = query_terms(text)
    if not terms:
        return []
    among_sql = _among_sql(among)
    if among_sql is None:
        return []
    clauses, documents = _clauses(kind, terms)
    if not clauses:
        return []
    words = len({t.word for t in terms})
    if most_informative and len(clauses) > most_informative:
        # A long text (a ticket being typed): its rarest words say what it is about.
        clauses = sorted(clauses, key=lambda c: -c.weight * _idf(c.df, documents))
        clauses = clauses[:most_informative]
        words = len({c.word for c in clauses})
    wanted = max(_CANDIDATES, limit)
    ids = _candidates(kind, _finding(clauses), among_sql, wanted=wanted)
    if len(ids) < limit:
        more = _candidates(
            kind, [[c] for c in clauses], among_sql, ranked=_RANKED_MORE, wanted=wanted
        )
        ids = list(dict.fromkeys(ids + more))
    rows = SearchDocument.objects.filter(id__in=ids).values_list(
        "id", "object_id", "title_tokens", "tokens"
    )
    ranked = sorted(
        (
            (_score(clauses, documents, words, title.split(), body.split()), object_id, pk)
            for pk, object_id, title, body in rows
        ),
        key=lambda item: (-item[0], item[1]),
    )[:limit]
    originals = {
        pk: (title, body)
        for pk, title, body in SearchDocument.objects.filter(
            id__in=[pk for _, _, pk in ranked]
        ).values_list("id", "title", "body")
    }
    return [
        Hit(
            object_id=object_id,
            score=round(score, 4),
            title_html=_html(originals[pk][0], _marked(originals[pk][0], clauses)),
            snippet_html=_snippet(originals[pk][1], clauses),
        )
        for score, object_id, pk in ranked
    ]


def search(kind: str, text: str, *, limit: int = 20, among: Among = None) -> list[Hit]:
    """Documents of `kind` matching the words of `text`, best first, at most `limit`.

    Korean particles and endings, spacing in compounds, a last word still being typed
    (a prefix), small typos, English words and error codes all match. `among` restricts the
    results to those object ids (a queryset — any model whose primary keys are the indexed
    object ids — or an iterable of ints); it applies before the limit. Empty or
    wordless text returns []."""
    return _run(kind, text, limit, among)


def suggest(kind: str, text: str, *, limit: int = 3, among: Among = None) -> list[Hit]:
    """Documents of `kind` for a long, ticket-like text (a request being typed): the most
    informative words of the text, any of which may match, best first. Same `among` rule
    as `search`."""
    return _run(kind, text, limit, among, most_informative=_SUGGEST_CLAUSES)
