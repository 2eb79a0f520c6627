"""The change feed: central's side (what an office's edge needs) and the edge's side
(copying it into the local replica).

Central answers ``GET /api/continuity/feed?edge_id=…&after=<cursor>``. The cursor grows
with central's kernel outbox (ordered event ids) and its command records, so it moves
whenever any state changes: when nothing happened since ``after`` the answer is empty; otherwise it carries the office's **working set** as Django-serialised
rows with their central primary keys:

- staff accounts whose office lies in the office's subtree, with their role grants and API
  tokens (hashes only), so clerks can log in at the edge while central is away;
- households of the subtree with their current members, the persons of the subtree and
  of those households, and their current residences;
- the petition catalog (every petition type);
- the office's **open petitions**: every application received in the subtree or holding a
  petition the subtree handles that is still open, with all its petitions and their steps,
  so the counter can tell a citizen where a petition stands during an outage. Personal
  data the counter does not need for that stays on central: the applicant's account, the
  sealed resident number, e-mail and phone are blanked, and an officer outside the
  replicated staff is left out.

The edge saves those rows as they are (replication, like ``loaddata``: central's commands
made them; the edge only keeps a copy). Rows the edge itself created while cut off carry
ids from a reserved local range (``LOCAL_ID_BASE``), so they never collide with central's
ids; after reconciliation they are dropped and replaced by central's copies (resync).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.apps import apps
from django.core import serializers
from django.db import connection, transaction
from django.db.models import Max, Q

from minwon.kernel import jurisdictions
from minwon.kernel.models import CommandRecord, OutboxEvent

log = logging.getLogger(__name__)

#: First id of rows an edge creates itself; each table gets its own slice of 10^10.
LOCAL_ID_BASE = 4_000_000_000_000_000
LOCAL_ID_SLICE = 10_000_000_000

#: Replicated tables, parents first (purged children first).
REPLICATED = [
    "accounts.User",
    "accounts.RoleGrant",
    "accounts.ApiToken",
    "registry.Person",
    "registry.Household",
    "registry.HouseholdMember",
    "registry.Residence",
    "petitions.PetitionType",
    "petitions.Application",
    "petitions.Petition",
    "petitions.PetitionStep",
]


def current_cursor() -> int:
    """A number that grows whenever central's state changes: the newest outbox event id
    plus the number of executed commands (some commands emit no event)."""
    value = OutboxEvent.objects.aggregate(m=Max("id"))["m"]
    return int(value or 0) + CommandRecord.objects.count()


def _model(label: str) -> Any | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def working_set(office: str) -> list[Any]:
    """Every row the edge of ``office`` replicates (see the module docstring)."""
    path = jurisdictions.path_of(office)
    rows: list[Any] = []
    staff: set[int] = set()
    user_model = _model("accounts.User")
    if user_model is not None:
        users = list(user_model.objects.filter(kind="staff", office__path__startswith=path))
        rows += users
        ids = [u.pk for u in users]
        staff.update(ids)
        for label in ("accounts.RoleGrant", "accounts.ApiToken"):
            model = _model(label)
            if model is not None:
                rows += list(model.objects.filter(user_id__in=ids))
    person = _model("registry.Person")
    household = _model("registry.Household")
    member = _model("registry.HouseholdMember")
    residence = _model("registry.Residence")
    if person and household and member and residence:
        homes = list(household.objects.filter(jurisdiction__path__startswith=path))
        home_ids = [h.pk for h in homes]
        members = list(member.objects.filter(household_id__in=home_ids, left_on__isnull=True))
        person_ids = {m.person_id for m in members} | {h.head_id for h in homes}
        persons = list(
            person.objects.filter(Q(jurisdiction__path__startswith=path) | Q(pk__in=person_ids))
        )
        current = list(
            residence.objects.filter(
                person_id__in=[p.pk for p in persons],
                household_id__in=home_ids,
                moved_out_on__isnull=True,
            )
        )
        rows += persons + homes + members + current
    ptype = _model("petitions.PetitionType")
    if ptype is not None:
        rows += list(ptype.objects.all())
        rows += open_petitions(path, staff)
    return rows


def open_petitions(path: str, staff: set[int]) -> list[Any]:
    """Applications of the subtree at ``path`` with an open petition, all their petitions
    and steps; fields the status look-up does not need are blanked (see the docstring)."""
    from minwon.petitions.models import OPEN_STATES, Application, Petition, PetitionStep

    here = Q(jurisdiction__path__startswith=path) | Q(
        application__jurisdiction__path__startswith=path
    )
    app_ids = set(
        Petition.objects.filter(here, state__in=OPEN_STATES).values_list(
            "application_id", flat=True
        )
    )
    applications = list(Application.objects.filter(pk__in=app_ids).order_by("pk"))
    petitions = list(Petition.objects.filter(application_id__in=app_ids).order_by("pk"))
    steps = list(PetitionStep.objects.filter(petition__application_id__in=app_ids).order_by("pk"))
    for app in applications:
        app.applicant_user_id = None
        app.rrn_ciphertext = None
        app.email = app.phone = ""
    for petition in petitions:
        if petition.officer_id not in staff:
            petition.officer_id = None
    return [*applications, *petitions, *steps]


def build(office: str, after: int) -> dict[str, Any]:
    """The feed answer for ``office`` after cursor ``after``."""
    cursor = current_cursor()
    if after and after >= cursor:
        return {"cursor": cursor, "changed": False, "objects": []}
    objects = json.loads(serializers.serialize("json", working_set(office)))
    return {"cursor": cursor, "changed": True, "objects": objects}


# ---------------------------------------------------------------------------- edge side


def reserve_local_ids() -> None:
    """Move every table's id sequence into the edge's reserved range (idempotent)."""
    if connection.vendor != "sqlite":
        return
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND sql LIKE '%AUTOINCREMENT%' ORDER BY name"
        )
        tables = [r[0] for r in cur.fetchall()]
        for n, table in enumerate(tables):
            base = LOCAL_ID_BASE + n * LOCAL_ID_SLICE
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name=%s", [table])
            row = cur.fetchone()
            if row is None:
                cur.execute("INSERT INTO sqlite_sequence(name, seq) VALUES (%s, %s)", [table, base])
            elif row[0] < base:
                cur.execute("UPDATE sqlite_sequence SET seq=%s WHERE name=%s", [base, table])


def purge_local_rows() -> int:
    """Drop replicated rows the edge created itself (ids in the local range): central's
    copies replace them after reconciliation."""
    removed = 0
    for label in reversed(REPLICATED):
        model = _model(label)
        if model is None or model._meta.pk.get_internal_type() not in _INTEGER_KEYS:
            continue  # natural keys (petition type codes) are central's, never local
        try:
            with transaction.atomic():
                removed += model.objects.filter(pk__gte=LOCAL_ID_BASE)._raw_delete(model.objects.db)
        except Exception:  # a local row another local row still needs: keep both
            log.warning("could not purge local %s rows", label, exc_info=True)
    return removed


_INTEGER_KEYS = {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField"}

#: Replicated tables holding "open" rows (at most one per person), with the column that
#: closes them. The feed sends only open rows, so a row central closed never arrives.
OPEN_ROWS = {"registry.householdmember": "left_on", "registry.residence": "moved_out_on"}


def _close_stale(rows: list[dict[str, Any]]) -> None:
    """Drop open rows of central's that the snapshot no longer lists as open.

    A person another edge (or central) moved meanwhile is open in a new household in the
    snapshot and still open in the old one here; saving the new row would break the
    one-open-membership constraint. The snapshot is the office's complete open set, so an
    open replicated row (central id) missing from it is closed or gone on central."""
    for label, column in OPEN_ROWS.items():
        model = _model(label)
        if model is None:
            continue
        keep = [o["pk"] for o in rows if str(o.get("model", "")).lower() == label]
        model.objects.filter(**{f"{column}__isnull": True, "pk__lt": LOCAL_ID_BASE}).exclude(
            pk__in=keep
        )._raw_delete(model.objects.db)


def _delete(model: Any, ids: set[int] | list[int]) -> None:
    ordered = sorted(ids)
    for at in range(0, len(ordered), 500):
        model.objects.filter(pk__in=ordered[at : at + 500])._raw_delete(model.objects.db)


def _drop_gone_petitions(rows: list[dict[str, Any]]) -> None:
    """Make the replica's petitions the snapshot's: the snapshot lists every open
    application of the office, so a central application (or petition, or step) missing from
    it was closed on central and leaves the replica, with the edge's own rows hanging from
    it. An edge's own copy of an application central now sends (same receipt number, the
    journal pushed) gives way to central's."""
    from minwon.petitions.models import Application, Petition, PetitionStep

    def listed(label: str) -> list[dict[str, Any]]:
        return [o for o in rows if str(o.get("model", "")).lower() == label]

    incoming_apps = listed("petitions.application")
    keep_apps = {o["pk"] for o in incoming_apps}
    keep_petitions = {o["pk"] for o in listed("petitions.petition")}
    keep_steps = {o["pk"] for o in listed("petitions.petitionstep")}
    numbers = {o["fields"]["receipt_number"] for o in incoming_apps}
    gone_apps = {
        pk
        for pk, number in Application.objects.values_list("pk", "receipt_number")
        if (pk < LOCAL_ID_BASE and pk not in keep_apps)
        or (pk >= LOCAL_ID_BASE and number in numbers)
    }
    gone_petitions = {
        pk
        for pk, app in Petition.objects.values_list("pk", "application_id")
        if app in gone_apps or (pk < LOCAL_ID_BASE and pk not in keep_petitions)
    }
    gone_steps = {
        pk
        for pk, petition in PetitionStep.objects.values_list("pk", "petition_id")
        if petition in gone_petitions or (pk < LOCAL_ID_BASE and pk not in keep_steps)
    }
    _delete(PetitionStep, gone_steps)
    _delete(Petition, gone_petitions)
    _delete(Application, gone_apps)


def apply(objects: list[dict[str, Any]]) -> int:
    """Save central's rows into the replica (one transaction; FKs are checked at commit)."""
    wanted = {label.lower() for label in REPLICATED}
    rows = [o for o in objects if str(o.get("model", "")).lower() in wanted]
    count = 0
    bulk: dict[str, list[Any]] = {label: [] for label in BULK}
    with transaction.atomic():
        _close_stale(rows)
        if _model("petitions.Application") is not None:
            _drop_gone_petitions(rows)
        for obj in serializers.deserialize("json", json.dumps(rows), ignorenonexistent=True):
            label = obj.object._meta.label_lower
            if label in bulk:
                bulk[label].append(obj.object)
            else:
                obj.save()
            count += 1
        # Thousands of open petitions after an outage: replace them in a few statements
        # (delete by id, insert in batches) instead of an UPDATE-then-INSERT per row. The
        # foreign keys are checked at commit, so children may hang on a parent briefly.
        for label in reversed(BULK):
            _delete(apps.get_model(label), [o.pk for o in bulk[label]])
        for label in BULK:
            apps.get_model(label).objects.bulk_create(bulk[label], batch_size=500)
        if _model("petitions.Application") is not None:
            from minwon.petitions import tracking

            tracking.follow_replica(o.receipt_number for o in bulk["petitions.application"])
        if _model("registry.HouseholdSnapshot") is not None:
            from minwon.registry import snapshot

            snapshot.follow_replica(_households_in(rows))
    return count


def _households_in(rows: list[dict[str, Any]]) -> list[int]:
    """The households whose register rows a feed brought: the households' own rows and
    those their member rows name (a 등본 at the edge reads their snapshot)."""
    ids: set[int] = set()
    for row in rows:
        model = str(row.get("model", "")).lower()
        if model == "registry.household":
            ids.add(int(row["pk"]))
        elif model == "registry.householdmember" and row.get("fields", {}).get("household"):
            ids.add(int(row["fields"]["household"]))
    return sorted(ids)


#: Replicated tables saved in bulk (parents first), see ``apply``.
BULK = ["petitions.application", "petitions.petition", "petitions.petitionstep"]


def keep(objects: list[dict[str, Any]]) -> int:
    """Save rows central made for this edge's counter (a forwarded certificate's ledger row
    and PDF) as they are, once: ledger rows are append-only, so a row already here (a
    resent answer) is left alone and nothing is ever updated."""
    count = 0
    with transaction.atomic():
        for obj in serializers.deserialize("json", json.dumps(objects), ignorenonexistent=True):
            model = type(obj.object)
            if model._default_manager.filter(pk=obj.object.pk).exists():
                continue
            obj.save(force_insert=True)
            count += 1
    return count
