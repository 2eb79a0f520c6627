"""통합검색 API: ``GET /api/search?q=`` and ``POST /api/search`` (the same query function as
the page). A resident number is accepted only in a POST body: it must never sit in a URL,
where proxies and access logs keep it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from minwon.accounts.actors import actor_for_request
from minwon.kernel.errors import ValidationFailed
from minwon.web.api import ERRORS, READ_BY_POST

from . import policies, queries
from .models import Kind

router = Router(tags=["portal"])


class SearchIn(Schema):
    q: str = Field(..., max_length=200, description="검색어 (search terms)")
    kind: Kind | None = Field(None, description="한 종류만 (one kind only)")


class HitOut(Schema):
    kind: str
    entity_id: str
    title: str
    details: str
    match: str = Field(..., description="exact | prefix | text")
    title_marked: str = Field(..., description="HTML, escaped, query words in <mark>")
    details_marked: str
    url: str


class GroupOut(Schema):
    kind: str
    label: str
    count: int = Field(description="matches of this kind, at most the search's cap (1,000)")
    more: bool = Field(description="more matches than ``count``: narrow the query to see them")
    hits: list[HitOut]


class SearchOut(Schema):
    query: str
    total: int = Field(description="the groups' counts summed (a lower bound when ``more``)")
    more: bool
    groups: list[GroupOut]


def _run(request: HttpRequest, body: SearchIn) -> dict[str, Any]:
    actor = actor_for_request(request)
    policies.require_use(actor)
    per_kind = 50 if body.kind else queries.PER_KIND
    kinds = [body.kind.value] if body.kind else None
    results = queries.search(actor, body.q, per_kind=per_kind, kinds=kinds)
    return {
        "query": results.query,
        "total": results.total,
        "more": results.more,
        "groups": [
            {
                "kind": g.kind,
                "label": g.label,
                "count": g.count,
                "more": g.more,
                "hits": [
                    {
                        "kind": h.kind,
                        "entity_id": h.entity_id,
                        "title": h.title,
                        "details": h.details,
                        "match": h.match,
                        "title_marked": str(h.title_marked),
                        "details_marked": str(h.details_marked),
                        "url": reverse("portal-open", args=[h.kind, h.entity_id]),
                    }
                    for h in g.hits
                ],
            }
            for g in results.groups
        ],
    }


@router.get(
    "/search",
    response={200: SearchOut, **ERRORS},
    operation_id="SearchGet",
    summary="통합검색 (integrated search over what the caller may see)",
)
def search_get(request: HttpRequest, params: Query[SearchIn]) -> dict[str, Any]:
    if queries.looks_like_rrn(params.q):
        raise ValidationFailed(
            "주민등록번호는 주소(URL)에 넣지 말고 POST /api/search 본문으로 검색하세요.",
            "Search a resident registration number with POST /api/search, never in a URL.",
            field="q",
            code="rrn_in_url",
        )
    return _run(request, params)


@router.post(
    "/search",
    response={200: SearchOut, **ERRORS},
    operation_id="SearchPost",
    openapi_extra=READ_BY_POST,
    summary="통합검색, 검색어를 본문으로 (search with the terms in the body)",
)
def search_post(request: HttpRequest, body: SearchIn) -> dict[str, Any]:
    return _run(request, body)
