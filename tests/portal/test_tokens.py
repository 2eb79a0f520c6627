"""Search tokens: the application's CJK unigrams and bigrams, dates and Latin/digit runs."""

from __future__ import annotations

from datetime import date

from minwon.portal.tokens import Term, document_tokens, highlight_words, query_terms


def test_document_tokens_unigrams_bigrams_and_dates() -> None:
    text = document_tokens("김민수", "원주시 단구로 170", dates=[date(1985, 1, 2)])
    assert text.split() == [
        "김", "민", "수", "김민", "민수",
        "원", "주", "시", "원주", "주시",
        "단", "구", "로", "단구", "구로", "170", "d19850102",
    ]  # fmt: skip
    assert document_tokens("ＡＢＣ １２３ 12가3456") == "abc 123 12 가 3456"
    assert document_tokens("김민수", "김민수") == document_tokens("김민수")


def test_query_terms() -> None:
    assert query_terms("민수") == [Term("민수", (("민수",),))]
    assert query_terms("김민수") == [Term("김민수", (("김민", "민수"),))]
    assert query_terms("김") == [Term("김", (("김",),))]
    assert query_terms("1985-01-02")[0].alternatives == (("d19850102",),)
    assert query_terms("850102")[0].alternatives == (("850102",), ("d19850102",), ("d20850102",))
    assert query_terms("9999-99-99")[0].alternatives == (("9999",),)
    assert [t.text for t in query_terms("단구동12-3")] == ["단구동", "12", "3"]
    assert query_terms("' \" * ( ) : -- ;") == []
    assert len(query_terms(" ".join("가나다라마바사아자차카"))) == 8
    assert highlight_words("김 민수 1") == ["민수", "김"]


def test_no_kind_name_begins_another() -> None:
    """PostgreSQL indexes each token behind its kind's name (migration 0005): "person" +
    "민서". If one kind's name began another's, a qualified token could be read as either."""
    from minwon.portal.models import Kind

    names = [k.value for k in Kind]
    assert all(a == b or not b.startswith(a) for a in names for b in names)
    assert all(name.isascii() and name.isalpha() and name.islower() for name in names)
