"""Text → index tokens and query terms, for Korean and English (docs/search.md).

Rules (the same on SQLite and PostgreSQL, since both index the tokens computed here):

- Text is NFKC-normalised and lower-cased (full-width letters and digits become ASCII).
- **CJK runs** (Hangul syllables and jamo, Han, kana) become overlapping character
  **bigrams**, as Lucene's `CJKBigramFilter` does (org.apache.lucene.analysis.cjk): 프린터가 →
  프린 린터 터가, so a particle or ending changes one bigram and the rest still match, and
  데이터동기화 shares every bigram but one with 데이터 동기화. A one-syllable run is kept as a
  unigram (Lucene's `outputUnigrams` for lone characters); a run of 3–4 syllables is also
  kept whole, so the exact word scores above its parts; and a run ending in a common
  particle also yields its stem when the bigrams do not (앱을 → 앱, 프린터가 → 프린터).
- In a **query**, a bigram that straddles a particle or ending (터가 in 프린터가, 려면 in
  요청하려면) is weak evidence and weighs less (`QueryTerm.weight`).
- **Other words** (Latin letters and digits) are kept whole: error codes and numbers
  (0x0000011b, 401, aadsts50076) stay one token; digit groups written with thousands
  separators are joined (5,000 → 5000). Alphabetic words get the minimal English
  "S-stemmer" (Harman 1991, Lucene's `EnglishMinimalStemFilter`): policies → policy,
  requests → request, but not status, process.
- A **query** is tokenised the same way; when the text does not end with a space, its last
  word is being typed and becomes a **prefix** term (FTS5 `"tok"*`, tsquery `tok:*`); a last
  Hangul syllable without a final consonant may still be growing one (경 → 결 while typing),
  so its completions are prefixes too.

Every token consists of letters and digits only, so it is one token for FTS5's `unicode61`
tokenizer and one lexeme for PostgreSQL's `simple` configuration, and needs no escaping in
either query syntax.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = [
    "QueryTerm",
    "Span",
    "index_tokens",
    "matching_spans",
    "query_terms",
    "spans",
    "stem",
]

_CJK = (
    "\u1100-\u11ff"  # Hangul jamo
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3131-\u318e"  # Hangul compatibility jamo
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\uac00-\ud7a3"  # Hangul syllables
)
# A CJK run, or a word of other letters/digits (digit groups with thousands separators
# are one word: 5,000).
_RUN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>\d{{1,3}}(?:,\d{{3}})+(?!\d)|[^\W_{_CJK}]+)")

_CJK_CHAR = re.compile(f"[{_CJK}]")

_HANGUL_FIRST = 0xAC00
_HANGUL_LAST = 0xD7A3
_FINALS = 28  # 27 final consonants and "none"


@dataclass(frozen=True)
class Span:
    """One token and where it came from in the text it was computed from."""

    token: str
    start: int
    end: int


@dataclass(frozen=True)
class QueryTerm:
    """One term of a query; `prefix` terms match every token they begin. `word` numbers the
    query's words (a document matching more of them ranks higher); `weight` is lower for a
    bigram that straddles a particle or ending (프린터가 → 터가)."""

    text: str
    prefix: bool = False
    word: int = field(default=0, compare=False)
    weight: float = field(default=1.0, compare=False)


# Particles and endings that end a Korean word (a short list, the commonest; longest first
# when matched). A bigram that includes one of their syllables is weak evidence: 프린터가
# and 권한을 say 프린터 and 권한, not 터가 or 한을.
_ENDINGS = sorted(
    [
        "가",
        "이",
        "을",
        "를",
        "은",
        "는",
        "에",
        "의",
        "도",
        "로",
        "와",
        "과",
        "만",
        "께",
        "서",
        "요",
        "고",
        "면",
        "며",
        "게",
        "지",
        "나",
        "랑",
        "야",
        "죠",
        "음",
        "됨",
        "함",
        "에서",
        "으로",
        "에게",
        "까지",
        "부터",
        "처럼",
        "보다",
        "이나",
        "이랑",
        "라고",
        "하고",
        "하면",
        "해요",
        "어요",
        "아요",
        "려면",
        "네요",
        "니다",
        "나요",
        "는데",
        "인데",
        "을까",
        "할까",
        "세요",
        "해서",
        "돼요",
        "됐어요",
        "했어요",
        "하려면",
        "합니다",
        "됩니다",
        "습니다",
        "입니다",
        "했는데",
        "하는데",
        "안돼요",
        "에서는",
        "으로는",
        "에서도",
    ],
    key=len,
    reverse=True,
)
_WEAK = 0.3
# Case particles that may follow a one-syllable noun (앱을, 앱이, 앱에서 is an ending above).
_PARTICLES = set("을를이가은는에의도로와과만")
_NOT_PARTICLE = {"사이", "아이", "오이", "나이", "거의", "모두", "별도", "정도", "제도", "속도"}


def stem(word: str) -> str:
    """The minimal English S-stemmer (Harman 1991) on an alphabetic, lower-case word."""
    if len(word) <= 3 or not word.isalpha() or not word.isascii():
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def _normalise(text: str) -> str:
    # NFKC keeps lengths for Hangul syllables and ASCII; a few compatibility characters
    # expand (e.g. ㎏ → kg), so spans() maps offsets back through `_runs` instead.
    return unicodedata.normalize("NFKC", text).lower()


def _runs(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(kind, normalised run, start, end) with start/end offsets into the ORIGINAL text."""
    for match in _RUN.finditer(text):
        raw = match.group()
        norm = _normalise(raw)
        # A normalised run may split into several (e.g. a full-width letter next to a
        # syllable); each part keeps the whole raw run's offsets when lengths differ.
        for part in _RUN.finditer(norm):
            kind = "cjk" if part.group("cjk") else "word"
            if len(norm) == len(raw):
                yield kind, part.group(), match.start() + part.start(), match.start() + part.end()
            else:
                yield kind, part.group(), match.start(), match.end()


def _word_token(word: str) -> str:
    if "," in word:
        return word.replace(",", "")
    return stem(word)


def _run_spans(kind: str, run: str, start: int, end: int) -> Iterator[Span]:
    if kind == "word":
        yield Span(_word_token(run), start, end)
        return
    n = len(run)
    exact = end - start == n
    if n == 1:
        yield Span(run, start, end)
        return
    for i in range(n - 1):
        if exact:
            yield Span(run[i : i + 2], start + i, start + i + 2)
        else:
            yield Span(run[i : i + 2], start, end)
    if 3 <= n <= 4:
        yield Span(run, start, end)
    stem = _stem(run)
    if stem:
        yield Span(stem, start, start + len(stem) if exact else end)


def spans(text: str) -> Iterator[Span]:
    """The index tokens of `text` with their offsets in `text` (for highlighting)."""
    for kind, run, start, end in _runs(text):
        yield from _run_spans(kind, run, start, end)


def _needle(token: str) -> str:
    """A string every run that yields `token` contains: a CJK token is a substring of its
    run; a Latin word's stem may change its last letter (policies → policy) and digit
    groups lose their commas (5,000 → 5000)."""
    if _CJK_CHAR.match(token):
        return token
    if token.isdigit() and len(token) > 3:
        return token[0]
    return token[:-1] if len(token) > 1 else token


def _run_start(text: str, at: int) -> int:
    """Where the run holding `text[at]` begins (see `_RUN`)."""
    cjk = bool(_CJK_CHAR.match(text, at))
    start = at
    while start > 0:
        before = text[start - 1]
        if cjk:
            if not _CJK_CHAR.match(before):
                break
        elif not (before.isalnum() and not _CJK_CHAR.match(before)) and not (
            before == "," and start > 1 and text[start - 2].isdigit()
        ):
            break
        start -= 1
    return start


def matching_spans(text: str, exact: set[str], prefixes: tuple[str, ...]) -> Iterator[Span]:
    """The spans of `text` whose token is one of `exact` or begins with one of `prefixes`
    — the same as filtering `spans(text)`, but only the runs where a wanted string occurs
    are tokenised, which makes highlighting a long document cheap."""

    def wanted(span: Span) -> bool:
        return span.token in exact or bool(prefixes and span.token.startswith(prefixes))

    lowered = text.lower()
    if len(lowered) != len(text) or not unicodedata.is_normalized("NFKC", text):
        yield from filter(wanted, spans(text))  # offsets would not line up: the slow way
        return
    needles = sorted({_needle(t) for t in (*exact, *prefixes) if t}, key=len, reverse=True)
    if not needles:
        return
    done: set[int] = set()
    for found in re.finditer("|".join(map(re.escape, needles)), lowered):
        start = _run_start(lowered, found.start())
        if start in done:
            continue
        done.add(start)
        run = _RUN.match(text, start)
        if run is None:
            continue
        for kind, part, part_start, part_end in _runs(run.group()):
            for span in _run_spans(kind, part, start + part_start, start + part_end):
                if wanted(span):
                    yield span


def index_tokens(text: str) -> list[str]:
    """The tokens indexed for `text`, in order (repeats kept: they count for ranking)."""
    return [span.token for span in spans(text)]


def _growing(syllable: str) -> list[str]:
    """A Hangul syllable without a final consonant and its 27 completions with one."""
    code = ord(syllable)
    if not _HANGUL_FIRST <= code <= _HANGUL_LAST or (code - _HANGUL_FIRST) % _FINALS:
        return [syllable]
    return [chr(code + final) for final in range(_FINALS)]


def _stem_length(run: str) -> int:
    """How much of a Hangul run is left once a particle or ending is taken off: at least
    two syllables, or one before a case particle (앱을 → 앱)."""
    for ending in _ENDINGS:
        if run.endswith(ending) and len(run) - len(ending) >= 2:
            return len(run) - len(ending)
    if len(run) >= 2 and run[-1] in _PARTICLES and run[-2:] not in _NOT_PARTICLE:
        return len(run) - 1
    return len(run)


def _stem(run: str) -> str | None:
    """The stem of a Hangul run that the bigrams do not already give: one syllable
    (앱을 → 앱) or three to four (프린터가 → 프린터); None otherwise."""
    stem = _stem_length(run)
    if stem < len(run) and (stem == 1 or 3 <= stem <= 4):
        return run[:stem]
    return None


def query_terms(text: str, *, prefix_last: bool | None = None) -> list[QueryTerm]:
    """The terms of a query, without repeats, in order of appearance.

    `prefix_last` (default: the text does not end with whitespace) makes the last word a
    prefix: a Latin word or a one-syllable Hangul word matches every token it begins; a
    longer Hangul word's last bigram does."""
    if prefix_last is None:
        prefix_last = bool(text) and not text[-1].isspace()
    runs = list(_runs(text))
    terms: list[QueryTerm] = []
    for position, (kind, run, _start, _end) in enumerate(runs):
        last = prefix_last and position == len(runs) - 1
        if kind == "word":
            token = _word_token(run)
            terms.append(QueryTerm(token, prefix=last, word=position))
            continue
        if len(run) == 1:
            endings = _growing(run) if last else [run]
            terms.extend(QueryTerm(s, prefix=last, word=position) for s in endings)
            continue
        stem = _stem_length(run)
        bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
        terms.extend(
            QueryTerm(b, word=position, weight=1.0 if i + 2 <= stem else _WEAK)
            for i, b in enumerate(bigrams[:-1])
        )
        weight = 1.0 if len(run) <= stem else _WEAK
        if last:
            terms.extend(
                QueryTerm(bigrams[-1][0] + s, prefix=True, word=position, weight=weight)
                for s in _growing(run[-1])
            )
        else:
            terms.append(QueryTerm(bigrams[-1], word=position, weight=weight))
            if 3 <= len(run) <= 4:
                terms.append(QueryTerm(run, word=position, weight=weight))
        if _stem(run):
            terms.append(QueryTerm(run[:stem], word=position))
    seen: set[QueryTerm] = set()
    unique: list[QueryTerm] = []
    for term in terms:
        if term not in seen:
            seen.add(term)
            unique.append(term)
    return unique
