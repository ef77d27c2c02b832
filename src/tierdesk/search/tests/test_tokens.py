"""The tokenizer's rules (docs/search.md), one example each."""

from __future__ import annotations

import random

from tierdesk.search.corpus import documents
from tierdesk.search.tokens import (
    QueryTerm,
    index_tokens,
    matching_spans,
    query_terms,
    spans,
    stem,
)


def test_hangul_runs_become_bigrams_so_particles_change_only_one():
    assert index_tokens("프린터가") == ["프린", "린터", "터가", "프린터가", "프린터"]
    assert index_tokens("앱을") == ["앱을", "앱"]
    assert {"프린", "린터"} <= set(index_tokens("프린터를 연결"))


def test_compounds_share_bigrams_with_their_spaced_form():
    joined = set(index_tokens("데이터동기화"))
    spaced = set(index_tokens("데이터 동기화"))
    assert spaced - joined == {"데이터", "동기화"}  # the whole short runs
    assert joined - spaced == {"터동"}


def test_one_syllable_runs_are_unigrams_and_two_syllable_words_whole():
    assert index_tokens("앱 권한") == ["앱", "권한"]


def test_latin_words_are_lower_cased_stemmed_and_codes_kept_whole():
    assert index_tokens("SharePoint 0x0000011B 401 DLP policies status 5,000 rows") == [
        "sharepoint",
        "0x0000011b",
        "401",
        "dlp",
        "policy",
        "status",
        "5000",
        "row",
    ]
    assert index_tokens("DLP정책") == ["dlp", "정책"]
    assert index_tokens("ＳＱＬ１２") == ["sql12"]


def test_stem_is_minimal():
    assert [stem(w) for w in ["requests", "policies", "process", "status", "boxes", "is"]] == [
        "request",
        "policy",
        "process",
        "status",
        "boxe",
        "is",
    ]


def test_spans_point_into_the_original_text():
    text = "오류: SharePoint가 401"
    assert [(s.token, text[s.start : s.end]) for s in spans(text)] == [
        ("오류", "오류"),
        ("sharepoint", "SharePoint"),
        ("가", "가"),
        ("401", "401"),
    ]


def test_a_bigram_straddling_a_particle_or_ending_is_weak_in_a_query():
    weights = {t.text: t.weight for t in query_terms("권한을 요청하려면 ")}
    assert weights["권한"] == weights["요청"] == 1.0
    assert weights["한을"] < 1 and weights["려면"] < 1


def test_the_last_word_of_a_query_is_a_prefix_unless_followed_by_a_space():
    assert query_terms("갤러리 위임 경") == [
        QueryTerm("갤러"),
        QueryTerm("러리"),
        QueryTerm("갤러리"),
        QueryTerm("위임"),
        QueryTerm("경", prefix=True),
    ]
    assert query_terms("sharep")[-1] == QueryTerm("sharep", prefix=True)
    assert query_terms("sharepoint ")[-1] == QueryTerm("sharepoint")


def test_a_last_syllable_without_a_final_consonant_may_still_grow_one():
    terms = query_terms("해겨")
    assert QueryTerm("해결", prefix=True) in terms
    assert QueryTerm("해겨", prefix=True) in terms
    assert len(terms) == 28


def _filtered(text: str, exact: set[str], prefixes: tuple[str, ...]) -> list[tuple[str, int, int]]:
    return sorted(
        (s.token, s.start, s.end)
        for s in spans(text)
        if s.token in exact or (prefixes and s.token.startswith(prefixes))
    )


def test_matching_spans_are_the_wanted_spans_found_the_fast_way():
    """Highlighting tokenises only the runs where a wanted string occurs; it must find
    exactly what filtering every span finds — stems that change a letter (policies →
    policy), digit groups (5,000 → 5000), full-width letters, one-syllable stems."""
    texts = [
        "프린터가 안 돼요 5,000원 policies ＡＢＣ 오류 0x80070005 앱을 앱스토어",
        "Policies policy's İstanbul 데이터동기화 데이터 동기화 requests",
    ]
    texts += [t for _, title, body, _ in documents(150, seed=7, start=0) for t in (title, body)]
    for text in texts:
        tokens = sorted({s.token for s in spans(text)})
        for token in random.Random(len(text)).sample(tokens, k=min(6, len(tokens))):
            prefixes = (token[:2],) if len(token) > 2 else ()
            found = sorted(
                (s.token, s.start, s.end) for s in matching_spans(text, {token}, prefixes)
            )
            assert found == _filtered(text, {token}, prefixes), (text[:40], token)
