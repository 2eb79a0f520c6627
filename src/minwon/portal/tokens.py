"""Search tokens made by the application, the same on PostgreSQL and SQLite.

Neither database can split Korean text usefully by itself (PostgreSQL has no Korean parser;
pg_trgm cannot index one- and two-syllable words; SQLite's trigram tokenizer misses
two-syllable queries), so the application writes the tokens and each database only indexes
whitespace-separated words: every run of Hangul (or other CJK) letters gives its unigrams
and its bigrams, every run of Latin letters and digits gives itself, lowercased.

A query term of two or more syllables matches a document that holds all of its bigrams in
one word ("김민수" → 김민 ∧ 민수); a one-syllable term matches its unigram. Dates are one
token (``d19850101``) so "1985-01-01", "19850101" and "850101" all find a birth date.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from datetime import date

#: Hangul syllables and jamo, CJK ideographs: the scripts written without spaces per morpheme.
_CJK = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[0-9a-z]+")
_DATE = re.compile(r"^(\d{4})[-./]?(\d{1,2})[-./]?(\d{1,2})$")
_SHORT_DATE = re.compile(r"^(\d{2})(\d{2})(\d{2})$")
_CJK_CHAR = re.compile(rf"[{_CJK}]")


def normalise(text: str) -> str:
    """NFKC (full-width digits, compatibility jamo) and lowercase."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _is_cjk(run: str) -> bool:
    return bool(_CJK_CHAR.match(run))


def date_token(day: date) -> str:
    return f"d{day:%Y%m%d}"


def word_tokens(run: str) -> list[str]:
    """The tokens of one run: unigrams and bigrams for CJK, the run itself otherwise."""
    if not _is_cjk(run):
        return [run]
    if len(run) == 1:
        return [run]
    return [*run, *(run[i : i + 2] for i in range(len(run) - 1))]


def document_tokens(*texts: str, dates: Iterable[date] = ()) -> str:
    """The token text of a document: unique tokens separated by spaces, in first-seen order
    (so a rebuild writes exactly what the event subscribers wrote)."""
    seen: dict[str, None] = {}
    for text in texts:
        for run in _RUN.findall(normalise(text)):
            for token in word_tokens(run):
                seen.setdefault(token, None)
    for day in dates:
        seen.setdefault(date_token(day), None)
    return " ".join(seen)


@dataclasses.dataclass(frozen=True)
class Term:
    """One word of a query: ``alternatives`` is an OR of token sets, each an AND of tokens;
    ``prefix`` lets the last Latin/digit token match as a prefix."""

    text: str
    alternatives: tuple[tuple[str, ...], ...]
    prefix: bool = False


def _date_of(word: str) -> date | None:
    match = _DATE.match(word)
    if match is not None:
        year, month, day = (int(g) for g in match.groups())
        if not 1900 <= year <= 2100:
            return None
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def query_terms(query: str) -> list[Term]:
    """Split a query into terms. Each whitespace-separated word is a date, or the runs it
    holds (so "단구동12" means 단구동 ∧ 12)."""
    terms: list[Term] = []
    for word in normalise(query).split():
        day = _date_of(word)
        if day is not None:
            terms.append(Term(word, ((date_token(day),),)))
            continue
        short = _SHORT_DATE.match(word)
        if short is not None:
            yy, mm, dd = (int(g) for g in short.groups())
            alternatives: list[tuple[str, ...]] = [(word,)]
            for century in (1900, 2000):
                with contextlib.suppress(ValueError):
                    alternatives.append((date_token(date(century + yy, mm, dd)),))
            terms.append(Term(word, tuple(alternatives), prefix=True))
            continue
        for run in _RUN.findall(word):
            if _is_cjk(run):
                grams = run if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
                terms.append(Term(run, (tuple(dict.fromkeys(grams)),)))
            else:
                terms.append(Term(run, ((run,),), prefix=True))
    return terms[:8]


def highlight_words(query: str) -> list[str]:
    """The literal strings to mark in a hit's title and details, longest first."""
    words = {t.text for t in query_terms(query) if not t.text.isdigit() or len(t.text) >= 2}
    return sorted(words, key=len, reverse=True)
