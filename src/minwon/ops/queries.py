"""Reads for the room, the API and the alert rules — all from the per-minute rollups, the
command table and the ops tables. Nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, Sum

from minwon.kernel import clock
from minwon.kernel.models import CommandRecord, Jurisdiction
from minwon.ops.categories import CATEGORY_LABELS
from minwon.ops.models import Alert, Incident, MetricMinute
from minwon.ops.rollups import LATENCY_BUCKETS, minute_of

WEEK = timedelta(days=7)


def total(metric: str, start: datetime, end: datetime, **filters: str) -> int:
    """Sum of ``n`` for ``metric`` over minutes in ``[start, end)``."""
    qs = MetricMinute.objects.filter(
        metric=metric, minute__gte=minute_of(start), minute__lt=end, **filters
    )
    return int(qs.aggregate(v=Sum("n"))["v"] or 0)


def by(metric: str, field: str, start: datetime, end: datetime, **filters: str) -> dict[str, int]:
    qs = (
        MetricMinute.objects.filter(
            metric=metric, minute__gte=minute_of(start), minute__lt=end, **filters
        )
        .values(field)
        .annotate(v=Sum("n"))
    )
    return {row[field]: int(row["v"]) for row in qs}


def start_of_day(moment: datetime) -> datetime:
    return clock.local(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def today_vs_last_week(now: datetime | None = None) -> list[dict[str, Any]]:
    """Each category today (midnight → now) against the same weekday last week, same
    time of day: the comparison the 2023 room made by hand."""
    now = now or clock.now()
    start = start_of_day(now)
    today = by("category", "key", start, now)
    before = by("category", "key", start - WEEK, now - WEEK)
    out = []
    for key, label in CATEGORY_LABELS.items():
        a, b = today.get(key, 0), before.get(key, 0)
        change = None if b == 0 else round((a - b) * 100.0 / b, 1)
        out.append({"key": key, "label": label, "today": a, "last_week": b, "change": change})
    return out


def per_channel(now: datetime | None = None) -> list[dict[str, Any]]:
    """Today's issuances and petitions received by channel (온라인, 창구, 무인민원발급기 …)."""
    now = now or clock.now()
    start = start_of_day(now)
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    qs = (
        MetricMinute.objects.filter(metric="category", minute__gte=start, minute__lt=now)
        .values("channel", "key")
        .annotate(v=Sum("n"))
    )
    for row in qs:
        rows[row["channel"]][row["key"]] += int(row["v"])
    return [
        {
            "channel": ch,
            "issuances": v.get("issuances", 0),
            "petitions": v.get("petitions_received", 0),
            "logins": v.get("logins", 0),
        }
        for ch, v in sorted(rows.items())
    ]


def per_region(now: datetime | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Today's issuances and petitions per 시·군·구 (with its 시·도), busiest first."""
    now = now or clock.now()
    start = start_of_day(now)
    qs = (
        MetricMinute.objects.filter(metric="category", minute__gte=start, minute__lt=now)
        .exclude(jurisdiction="")
        .values("jurisdiction")
        .annotate(
            issuances=Sum("n", filter=Q(key="issuances")),
            petitions=Sum("n", filter=Q(key="petitions_received")),
            all=Sum("n"),
        )
        .order_by("-all")[:limit]
    )
    rows = list(qs)
    names = dict(
        Jurisdiction.objects.filter(pk__in=[r["jurisdiction"] for r in rows]).values_list(
            "code", "full_name"
        )
    )
    return [
        {
            "code": r["jurisdiction"],
            "sido": r["jurisdiction"][:2] + "00000000",
            "name": names.get(r["jurisdiction"], r["jurisdiction"]),
            "issuances": int(r["issuances"] or 0),
            "petitions": int(r["petitions"] or 0),
        }
        for r in rows
    ]


def request_stats(minutes: int = 15, now: datetime | None = None) -> dict[str, Any]:
    """Requests per minute, error rate (5xx share) and latency (mean and p95)."""
    now = now or clock.now()
    start = now - timedelta(minutes=minutes)
    qs = MetricMinute.objects.filter(metric="request", minute__gte=minute_of(start), minute__lt=now)
    agg = qs.aggregate(
        count=Sum("n"), seconds=Sum("total"), errors=Sum("n", filter=Q(outcome="5xx"))
    )
    n, seconds, errors = (
        int(agg["count"] or 0),
        float(agg["seconds"] or 0.0),
        int(agg["errors"] or 0),
    )
    return {
        "minutes": minutes,
        "requests": n,
        "per_minute": round(n / minutes, 1),
        "errors": errors,
        "error_rate": round(errors / n, 4) if n else 0.0,
        "mean_ms": round(seconds * 1000 / n, 1) if n else 0.0,
        "p95_seconds": p95(start, now),
    }


def p95(start: datetime, end: datetime) -> float:
    """Upper bound of the latency bucket holding the 95th percentile (0 with no traffic)."""
    counts = by("latency", "key", start, end)
    n = sum(counts.values())
    if n == 0:
        return 0.0
    seen = 0
    for bound in LATENCY_BUCKETS:
        label = "inf" if bound == float("inf") else f"{bound:g}"
        seen += counts.get(label, 0)
        if seen >= 0.95 * n:
            return bound if bound != float("inf") else 10.0
    return 10.0


def api_clients(minutes: int = 60, now: datetime | None = None) -> list[dict[str, Any]]:
    now = now or clock.now()
    rows = by("api", "key", now - timedelta(minutes=minutes), now)
    return [{"client": k, "calls": v} for k, v in sorted(rows.items(), key=lambda kv: -kv[1])]


def staff_sessions(now: datetime | None = None) -> int:
    """Staff members who logged in within one maximum session length (9 h): the sessions
    that can still be open, counted from the log-in commands."""
    from django.conf import settings

    now = now or clock.now()
    since = now - timedelta(seconds=settings.STAFF_MAX_SESSION_SECONDS)
    return (
        CommandRecord.objects.filter(
            name="RecordSignIn", recorded_at__gte=since, actor__startswith="staff:"
        ).aggregate(v=Count("actor", distinct=True))["v"]
        or 0
    )


def series(hours: int = 6, now: datetime | None = None) -> dict[str, list[Any]]:
    """Per-minute series for the charts: x (epoch seconds), issuances, petitions,
    requests and 5xx errors."""
    now = now or clock.now()
    start = minute_of(now - timedelta(hours=hours))
    xs = [start + timedelta(minutes=i) for i in range(hours * 60 + 1)]
    index = {x: i for i, x in enumerate(xs)}
    out: dict[str, list[Any]] = {
        "x": [int(x.timestamp()) for x in xs],
        "issuances": [0] * len(xs),
        "petitions": [0] * len(xs),
        "requests": [0] * len(xs),
        "errors": [0] * len(xs),
    }
    qs = (
        MetricMinute.objects.filter(minute__gte=start, metric__in=["category", "request"])
        .values("minute", "metric", "key", "outcome")
        .annotate(v=Sum("n"))
    )
    for row in qs:
        i = index.get(clock.local(row["minute"]))
        if i is None:
            continue
        if row["metric"] == "category" and row["key"] == "issuances":
            out["issuances"][i] += row["v"]
        elif row["metric"] == "category" and row["key"] == "petitions_received":
            out["petitions"][i] += row["v"]
        elif row["metric"] == "request":
            out["requests"][i] += row["v"]
            if row["outcome"] == "5xx":
                out["errors"][i] += row["v"]
    return out


def open_alerts() -> list[Alert]:
    return list(
        Alert.objects.filter(acknowledged_at__isnull=True)
        .select_related("rule")
        .order_by("-opened_at")
    )


def recent_acknowledged(limit: int = 10) -> list[Alert]:
    return list(
        Alert.objects.filter(acknowledged_at__isnull=False)
        .select_related("rule")
        .order_by("-acknowledged_at")[:limit]
    )


def active_incidents() -> list[Incident]:
    return list(Incident.objects.exclude(state=Incident.State.RESOLVED).order_by("-opened_at"))


def public_status() -> dict[str, Any]:
    """What citizens and edge nodes are told (대체 창구 안내): the worst level among the
    unresolved incidents, and each incident's public text."""
    incidents = [i for i in active_incidents() if i.public_status.strip() or i.level != "normal"]
    order = {"normal": 0, "degraded": 1, "outage": 2}
    level = max((i.level for i in incidents), key=order.__getitem__, default="normal")
    return {
        "level": level,
        "incidents": [
            {
                "id": i.pk,
                "title": i.title,
                "level": i.level,
                "public_status": i.public_status,
                "affected_services": i.affected_services,
                "affected_offices": i.affected_offices,
                "continuity_offices": i.continuity_offices,
                "updated_at": i.updated_at.isoformat(),
            }
            for i in incidents
        ],
        "updated_at": max((i.updated_at for i in incidents), default=None),
    }


#: The commands that answer or refuse an agency's sharing request (their mean time is the
#: panel's latency: signature check, provider read, signing and logging).
SHARING_COMMANDS = ("AnswerSharingRequest", "RecordSharingDenial", "CheckSanctions")


def sharing_today(now: datetime | None = None, limit: int = 12) -> dict[str, Any]:
    """행정정보 공동이용 today: requests per agency and purpose, answered and denied, and the
    mean time the answering commands took (from the per-minute command rollups)."""
    from minwon.sharing import catalog
    from minwon.sharing.models import SharingMessage

    now = now or clock.now()
    start = start_of_day(now)
    rows = (
        SharingMessage.objects.filter(at__gte=start, at__lte=now)
        .values("requester_name", "item", "purpose")
        .annotate(
            answered=Count("id", filter=Q(outcome=SharingMessage.Outcome.ANSWERED)),
            denied=Count("id", filter=Q(outcome=SharingMessage.Outcome.DENIED)),
        )
        .order_by("-answered", "-denied", "requester_name")
    )

    def purpose_name(item: str, code: str) -> str:
        try:
            return catalog.item(item).purpose(code).name
        except Exception:  # an unknown item or purpose is shown as the agency sent it
            return code or "-"

    timing = MetricMinute.objects.filter(
        metric="command", key__in=SHARING_COMMANDS, minute__gte=minute_of(start), minute__lt=now
    ).aggregate(n=Sum("n"), seconds=Sum("total"))
    n = int(timing["n"] or 0)
    return {
        "rows": [
            {
                "agency": r["requester_name"],
                "purpose": purpose_name(r["item"], r["purpose"]),
                "answered": r["answered"],
                "denied": r["denied"],
            }
            for r in rows[:limit]
        ],
        "answered": sum(r["answered"] for r in rows),
        "denied": sum(r["denied"] for r in rows),
        "mean_ms": round(1000 * float(timing["seconds"] or 0) / n) if n else None,
    }


def notice_campaigns(
    now: datetime | None = None, days: int = 14, limit: int = 6
) -> list[dict[str, Any]]:
    """전자고지 campaigns of the last ``days``, newest first, with what their notices did:
    issued, opened, acknowledged, a channel failed, sent on paper (two grouped reads, not a
    join of every notice with its deliveries)."""
    from minwon.notices.models import Campaign, Notice, NoticeDelivery

    now = now or clock.now()
    campaigns = list(
        Campaign.objects.filter(created_at__gte=now - timedelta(days=days))
        .select_related("jurisdiction")
        .order_by("-created_at")[:limit]
    )
    ids = [c.pk for c in campaigns]
    counts: dict[int, dict[str, Any]] = {
        row["campaign_id"]: {**row}
        for row in Notice.objects.filter(campaign_id__in=ids)
        .values("campaign_id")
        .annotate(
            issued=Count("id"),
            opened=Count("id", filter=Q(opened_at__isnull=False)),
            acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
            paper=Count("id", filter=Q(print_batch__isnull=False)),
        )
    }
    failed = dict(
        NoticeDelivery.objects.filter(
            notice__campaign_id__in=ids, state=NoticeDelivery.State.FAILED
        )
        .values("notice__campaign_id")
        .annotate(n=Count("notice_id", distinct=True))
        .values_list("notice__campaign_id", "n")
    )
    empty = {"issued": 0, "opened": 0, "acknowledged": 0, "paper": 0}
    return [
        {"title": c.title, "office": c.jurisdiction.name, "created_at": c.created_at,
         **{k: counts.get(c.pk, empty)[k] for k in empty}, "failed": failed.get(c.pk, 0)}
        for c in campaigns
    ]  # fmt: skip
