"""통합검색: one query function behind ``/staff/search/`` and ``GET /api/search``.

One statement per search: the policy condition (``policies.visible``), the exact keys
(btree) OR the text match (PostgreSQL ``tsvector @@ tsquery`` on the GIN index; SQLite FTS5
``MATCH``), ranked exact key → title prefix → text, numbered per kind with a window
function so every kind keeps its best hits and its count. Person hits shown are written to
the access log; a resident number is looked up only by its blind index.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from minwon.kernel import rrn
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.privacy import log_reads
from minwon.kernel.types import Actor, Channel

from . import policies
from .index import exact_key, rrn_key
from .models import Kind, SearchDocument
from .tokens import Term, highlight_words, query_terms

PER_KIND = 10
MAX_QUERY = 100
PURPOSE = "통합검색"
_RRN_SHAPE = re.compile(r"^\s*\d{6}\s*-?\s*\d{7}\s*$")


@dataclasses.dataclass(frozen=True)
class Hit:
    kind: str
    entity_id: str
    title: str
    details: str
    rank: int
    title_marked: SafeString
    details_marked: SafeString

    @property
    def match(self) -> str:
        return ("exact", "prefix", "text")[self.rank]


@dataclasses.dataclass(frozen=True)
class Group:
    kind: str
    label: str
    count: int
    hits: list[Hit]


@dataclasses.dataclass(frozen=True)
class Results:
    query: str
    groups: list[Group]

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)


def looks_like_rrn(text: str) -> bool:
    return bool(_RRN_SHAPE.match(text or ""))


def _clean(query: str) -> str:
    text = " ".join((query or "").split())
    if not text:
        raise ValidationFailed("검색어를 입력하세요.", "Enter a search term.", field="q")
    if len(text) > MAX_QUERY:
        raise ValidationFailed(
            f"검색어는 {MAX_QUERY}자까지 입력할 수 있습니다.",
            f"A search term is at most {MAX_QUERY} characters.",
            field="q",
        )
    return text


def _exact_keys(text: str) -> tuple[list[str], bool]:
    """Keys to look up exactly, and whether the query is a resident number (then only the
    blind index is looked up: its digits are not text)."""
    if looks_like_rrn(text):
        number = rrn.parse(text.replace(" ", ""), field="q")
        return [rrn_key(rrn.blind_index(number))], True
    return [exact_key(text)], False


def _postgres_query(terms: list[Term]) -> str:
    def token(t: str, prefix: bool) -> str:
        return f"'{t}':*" if prefix else f"'{t}'"

    parts = []
    for term in terms:
        options = [
            " & ".join(token(t, term.prefix and not t.startswith("d")) for t in alt)
            for alt in term.alternatives
        ]
        parts.append("(" + " | ".join(f"({o})" for o in options) + ")")
    return " & ".join(parts)


def _sqlite_query(terms: list[Term]) -> str:
    def token(t: str, prefix: bool) -> str:
        return f'"{t}"*' if prefix else f'"{t}"'

    parts = []
    for term in terms:
        options = [
            " AND ".join(token(t, term.prefix and not t.startswith("d")) for t in alt)
            for alt in term.alternatives
        ]
        parts.append("(" + " OR ".join(f"({o})" for o in options) + ")")
    return " AND ".join(parts)


def _text_condition(param: str) -> RawSQL:
    table = SearchDocument._meta.db_table
    if connection.vendor == "postgresql":
        where = f"{table}.tsv @@ to_tsquery('simple', %s)"
    else:
        where = (
            f"{table}.id IN (SELECT rowid FROM portal_search_fts "  # noqa: S608
            "WHERE portal_search_fts MATCH %s)"
        )
    return RawSQL(where, [param], output_field=BooleanField())  # noqa: S611


def _matching(
    base: QuerySet[SearchDocument], key: str, text_query: str | None, first: str
) -> QuerySet[SearchDocument]:
    by_key = Q(key1__in=[key]) | Q(key2__in=[key]) | Q(key3__in=[key])
    qs = base.filter(by_key | _text_condition(text_query)) if text_query else base.filter(by_key)
    return qs.annotate(
        rank=Case(
            When(by_key, then=Value(0)),
            When(title__istartswith=first, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )


def _windowed(qs: QuerySet[SearchDocument], per_kind: int) -> QuerySet[SearchDocument]:
    return (
        qs.annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("kind")],
                order_by=[F("rank").asc(), F("title").asc(), F("id").asc()],
            ),
            kind_count=Window(Count("id"), partition_by=[F("kind")]),
        )
        .filter(position__lte=per_kind)
        .values_list(*COLUMNS)
    )


COLUMNS = ("kind", "entity_id", "title", "details", "rank", "kind_count")


@dataclasses.dataclass(frozen=True)
class _Parsed:
    key: str
    text_query: str | None
    first: str


def _parse(text: str) -> _Parsed:
    keys, exact_only = _exact_keys(text)
    terms = [] if exact_only else query_terms(text)
    text_query = None
    if terms:
        build = _postgres_query if connection.vendor == "postgresql" else _sqlite_query
        text_query = build(terms)
    # Never the query itself as the prefix of a resident-number search: only its index.
    return _Parsed(keys[0], text_query, terms[0].text if terms else keys[0])


def ranked(
    actor: Actor, text: str, *, per_kind: int = PER_KIND, kinds: list[str] | None = None
) -> QuerySet[SearchDocument]:
    """The one statement of a search as a queryset: policy, match, rank, and the
    ``per_kind`` best hits of each kind with the kind's count."""
    parsed = _parse(text)
    base = policies.visible(actor)
    if kinds:
        base = base.filter(kind__in=kinds)
    return _windowed(_matching(base, parsed.key, parsed.text_query, parsed.first), per_kind)


# Compiling that queryset costs more than the database spends running it, so it is
# compiled once per shape (scopes, kinds, limit, with or without text) with sentinel
# values, and each search substitutes its own values for the sentinels.
_KEY, _TEXT, _FIRST = "\x00minwon-key\x00", "\x00minwon-text\x00", "\x00minwon-first\x00"


@functools.lru_cache(maxsize=512)
def _compiled(
    vendor: str,
    scopes: policies.Scopes,
    kinds: tuple[str, ...],
    per_kind: int,
    text: bool,
    departments: tuple[str, ...] = (),
) -> tuple[str, tuple[Any, ...]]:
    condition = policies.condition_for(scopes, departments)
    base = SearchDocument.objects.filter(condition or Q(pk__in=[]))
    if kinds:
        base = base.filter(kind__in=list(kinds))
    qs = _windowed(_matching(base, _KEY, _TEXT if text else None, _FIRST), per_kind)
    statement, params = qs.query.sql_with_params()
    return statement, tuple(params)


def _rows(actor: Actor, text: str, per_kind: int, kinds: list[str] | None) -> list[tuple[Any, ...]]:
    scopes = policies.visible_scopes(actor)
    if not scopes:
        return []
    parsed = _parse(text)
    statement, template = _compiled(
        connection.vendor,
        scopes,
        tuple(sorted(kinds or ())),
        per_kind,
        parsed.text_query is not None,
        policies.visible_departments(actor),
    )
    first = connection.ops.prep_for_like_query(parsed.first)
    values = {_KEY: parsed.key, _TEXT: parsed.text_query}
    params = [
        values[p]
        if p in values
        else p.replace(_FIRST, first)
        if isinstance(p, str) and _FIRST in p
        else p
        for p in template
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall())


def _mark(text: str, words: list[str]) -> SafeString:
    """``text`` escaped, with each occurrence of a query word in ``<mark>``."""
    if not words:
        return mark_safe(escape(text))  # noqa: S308
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out: list[str] = []
    at = 0
    for found in pattern.finditer(text):
        out.append(escape(text[at : found.start()]))
        out.append(f"<mark>{escape(found.group(0))}</mark>")
        at = found.end()
    out.append(escape(text[at:]))
    return mark_safe("".join(out))  # noqa: S308


def search(
    actor: Actor,
    query: str,
    *,
    per_kind: int = PER_KIND,
    kinds: list[str] | None = None,
    channel: str = Channel.ONLINE,
    purpose: str = PURPOSE,
) -> Results:
    """The hits ``actor`` may see for ``query``, grouped by kind (in ``Kind`` order), each
    group with its full count and its ``per_kind`` best hits."""
    text = _clean(query)
    rows = _rows(actor, text, per_kind, kinds)
    words = [] if looks_like_rrn(text) else highlight_words(text)
    grouped: dict[str, tuple[int, list[Hit]]] = {}
    for kind, entity_id, title, details, rank, count in rows:
        hits = grouped.setdefault(kind, (count, []))[1]
        hits.append(
            Hit(kind, entity_id, title, details, rank, _mark(title, words), _mark(details, words))
        )
    groups = []
    for kind in Kind:
        if kind.value in grouped:
            count, hits = grouped[kind.value]
            hits.sort(key=lambda h: (h.rank, h.title, h.entity_id))
            groups.append(Group(kind.value, str(kind.label), count, hits))
    _log_persons(actor, groups, channel, purpose)
    return Results(rrn.mask(text.replace(" ", "")) if looks_like_rrn(text) else text, groups)


def _log_persons(actor: Actor, groups: list[Group], channel: str, purpose: str) -> None:
    shown = [h.entity_id for g in groups if g.kind == Kind.PERSON for h in g.hits]
    if shown:
        log_reads(
            actor=actor,
            channel=channel,
            purpose=purpose,
            reads=[(pid, "portal_search") for pid in shown],
        )


def document_for(actor: Actor, kind: str, entity_id: str) -> SearchDocument | None:
    """One hit, if ``actor`` may see it (absent and out of scope look the same)."""
    return policies.visible(actor).filter(kind=kind, entity_id=entity_id).first()


def _campaign_target(document: SearchDocument, actor: Actor | None) -> str | None:
    """A campaign opens on its status board for whoever manages it, else on the answer
    form of a recipient the actor answers for."""
    from django.urls import reverse

    from .models import Campaign

    campaign = Campaign.objects.filter(pk=int(document.entity_id)).first()
    if campaign is None or actor is None:
        return None
    if policies.can_manage(actor, campaign):
        return reverse("portal-campaign", args=[campaign.pk])
    recipient = policies.answerable(actor).filter(campaign=campaign).order_by("pk").first()
    if recipient is None:
        return None
    return reverse("portal-campaign-answer", args=[campaign.pk, recipient.pk])


def open_target(document: SearchDocument, actor: Actor | None = None) -> dict[str, Any]:
    """Where a hit opens: the app's own staff page where there is one."""
    from django.urls import reverse

    if document.kind == Kind.CAMPAIGN:
        return {"url": _campaign_target(document, actor)}

    if document.kind == Kind.PERSON:
        url = reverse("registry-person", args=[int(document.entity_id)])
        return {"url": f"{url}?purpose={PURPOSE}"}
    if document.kind == Kind.HOUSEHOLD:
        from minwon.registry.models import Household

        head = Household.objects.filter(pk=int(document.entity_id)).values_list(
            "head_id", flat=True
        )
        head_id = head.first()
        if head_id is not None:
            url = reverse("registry-person", args=[head_id])
            return {"url": f"{url}?purpose={PURPOSE}"}
    if document.kind == Kind.PETITION:
        from minwon.petitions.models import Petition

        petition = (
            Petition.objects.filter(pk=int(document.entity_id))
            .select_related("application")
            .first()
        )
        if petition is not None:
            url = reverse(
                "petitions-staff-detail", args=[petition.application.receipt_number, petition.seq]
            )
            return {"url": url}
    return {"url": None}
