"""통합검색: one query function behind ``/staff/search/`` and ``GET /api/search``.

One statement per search, bounded whatever the words match. For each kind it takes at most
``CAP + 1`` candidates the officer may see — the policy condition (``policies.visible``) is
inside each candidate scan, before its limit — whose text matches (PostgreSQL ``tsvector @@
tsquery`` on the GIN index, over tokens qualified by kind, so each kind's scan reads only
its own postings and the planner's statistics are per kind; SQLite FTS5 ``MATCH``), plus the
documents whose exact key is the query (btree). Only those candidates are ranked exact key →
title prefix → text and numbered per kind with a window function, so every kind keeps its
best hits and its count.

A kind with more than ``CAP`` visible matches says so ("1,000건 이상", ``Group.more``) and
shows the best of the first ``CAP + 1`` it found, exact-key hits always among them: "민원"
over a million petitions costs a thousand rows, not a million (it cost 3 s to count and sort
them all). Person hits shown are written to the access log; a resident number is looked up
only by its blind index.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction
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
#: Candidates per kind beyond which a count reads "CAP건 이상" and the hits are the best of
#: the first CAP + 1 found (DESIGN: a search's cost is bounded by this, not by the registers).
CAP = 1000
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
    #: the matches (at most ``CAP``; with ``more``, there are more than that)
    count: int
    hits: list[Hit]
    more: bool = False


@dataclasses.dataclass(frozen=True)
class Results:
    query: str
    groups: list[Group]

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def more(self) -> bool:
        """Whether some kind had more matches than ``CAP`` (``total`` is then a lower bound)."""
        return any(g.more for g in self.groups)


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


def _postgres_query(terms: list[Term], kind: str = "") -> str:
    """The tsquery of ``terms`` for one kind: PostgreSQL indexes each token prefixed by its
    document's kind (migration 0005), "person" + "민서" → ``person민서``."""

    def token(t: str, prefix: bool) -> str:
        return f"'{kind}{t}':*" if prefix else f"'{kind}{t}'"

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


def _by_key(key: str) -> Q:
    return Q(key1__in=[key]) | Q(key2__in=[key]) | Q(key3__in=[key])


def _candidates(
    visible: QuerySet[SearchDocument], kinds: list[str], key: str, texts: dict[str, str] | None
) -> RawSQL:
    """``id IN`` the bounded candidates: the exact-key documents of ``kinds``, and per kind
    the first ``CAP + 1`` whose text matches (``texts``: each kind's text query)."""
    within = visible.filter(kind__in=kinds) if len(kinds) < len(Kind) else visible
    parts = [within.filter(_by_key(key)).values("id")[:CAP]]
    for kind, text_query in (texts or {}).items():
        matching = visible.filter(_text_condition(text_query))
        if connection.vendor == "postgresql":
            # The tokens carry their kind (a kind condition only made the planner AND a
            # million-row btree bitmap with the token's), and the order is the entity id's
            # (``search_entity``), which no kind's rows cluster in: a token common in one
            # kind is then found by walking that index a few thousand rows, a rare one by
            # the GIN index and a sort of its few matches.
            matching = matching.order_by("entity_id")
        else:
            matching = matching.filter(kind=kind)
        parts.append(matching.values("id")[: CAP + 1])
    sql: list[str] = []
    params: list[Any] = []
    for n, part in enumerate(parts):
        statement, values = part.query.sql_with_params()
        sql.append(f"SELECT id FROM ({statement}) AS c{n}")  # noqa: S608
        params.extend(values)
    table = SearchDocument._meta.db_table
    where = f"{table}.id IN ({' UNION ALL '.join(sql)})"
    return RawSQL(where, params, output_field=BooleanField())  # noqa: S611


def _statement(
    visible: QuerySet[SearchDocument],
    kinds: list[str],
    key: str,
    texts: dict[str, str] | None,
    first: str,
    per_kind: int,
) -> QuerySet[SearchDocument]:
    """The candidates ranked and windowed: the ``per_kind`` best of each kind and its count
    (of candidates: at most ``CAP + 1`` from the text, plus exact keys)."""
    return (
        SearchDocument.objects.filter(_candidates(visible, kinds, key, texts))
        .annotate(
            rank=Case(
                When(_by_key(key), then=Value(0)),
                When(title__istartswith=first, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .annotate(
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
    terms: list[Term]
    first: str

    def texts(self, kinds: list[str]) -> dict[str, str] | None:
        """Each kind's text query, or ``None`` when the query is a resident number (only
        its blind index is looked up)."""
        if not self.terms:
            return None
        if connection.vendor == "postgresql":
            return {kind: _postgres_query(self.terms, kind) for kind in kinds}
        text_query = _sqlite_query(self.terms)
        return dict.fromkeys(kinds, text_query)


def _parse(text: str) -> _Parsed:
    keys, exact_only = _exact_keys(text)
    terms = [] if exact_only else query_terms(text)
    # Never the query itself as the prefix of a resident-number search: only its index.
    return _Parsed(keys[0], terms, terms[0].text if terms else keys[0])


def _kinds(kinds: list[str] | tuple[str, ...] | None) -> list[str]:
    wanted = set(kinds or ())
    return [k.value for k in Kind if not wanted or k.value in wanted]


def ranked(
    actor: Actor, text: str, *, per_kind: int = PER_KIND, kinds: list[str] | None = None
) -> QuerySet[SearchDocument]:
    """The one statement of a search as a queryset: policy, match (bounded per kind), rank,
    and the ``per_kind`` best hits of each kind with the kind's count."""
    parsed = _parse(text)
    wanted = _kinds(kinds)
    return _statement(
        policies.visible(actor), wanted, parsed.key, parsed.texts(wanted), parsed.first, per_kind
    )


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
    visible = SearchDocument.objects.filter(condition or Q(pk__in=[]))
    wanted = _kinds(kinds)
    texts = {kind: _TEXT + kind for kind in wanted} if text else None
    qs = _statement(visible, wanted, _KEY, texts, _FIRST, per_kind)
    statement, params = qs.query.sql_with_params()
    return statement, tuple(params)


def _rows(actor: Actor, text: str, per_kind: int, kinds: list[str] | None) -> list[tuple[Any, ...]]:
    scopes = policies.visible_scopes(actor)
    if not scopes:
        return []
    parsed = _parse(text)
    wanted = tuple(sorted(kinds or ()))
    statement, template = _compiled(
        connection.vendor,
        scopes,
        wanted,
        per_kind,
        bool(parsed.terms),
        policies.visible_departments(actor),
    )
    first = connection.ops.prep_for_like_query(parsed.first)
    values: dict[str, Any] = {_KEY: parsed.key}
    for kind, text_query in (parsed.texts(_kinds(wanted)) or {}).items():
        values[_TEXT + kind] = text_query
    params = [
        values[p]
        if isinstance(p, str) and p in values
        else p.replace(_FIRST, first)
        if isinstance(p, str) and _FIRST in p
        else p
        for p in template
    ]
    with connection.cursor() as cursor, planned(cursor):
        cursor.execute(statement, params)
        return list(cursor.fetchall())


@contextlib.contextmanager
def planned(cursor: Any) -> Iterator[None]:
    """Run the search statement without sequential scans (PostgreSQL). Each candidate scan
    has a limit; the planner, reckoning a common token's rows spread evenly through the
    table, would read the table from the start to find the first thousand — but the rows of
    one kind lie together (each register writes its own), so "김" read 1.3 s of persons
    before the first household. By the GIN index (or the kind's btree) the cost follows the
    matches. Nor JIT: the limits' upper costs add up past ``jit_above_cost``, and compiling
    the plan took 70–150 ms of a 5 ms search. Both settings are local to this transaction
    and set back right after."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL jit = off")
        yield
        cursor.execute("SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL jit TO DEFAULT")


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
            groups.append(Group(kind.value, str(kind.label), min(count, CAP), hits, count > CAP))
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
