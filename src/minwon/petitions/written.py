"""The petitions' rows a command has just written, kept on its ``Context.memo`` for the
read-model subscribers of the same transaction.

A submission inserts an application, its petitions and their first steps; its subscribers
(the public tracking row, the search documents) would then read all of it back from the
database for values the handler holds. ``note_application`` notes an application the
command creates, ``note_petition`` and ``note_step`` its rows as they are inserted; the
subscribers of ``ApplicationReceived`` ask ``application`` and build from what they get
with the same builders that read the database (``tracking.build_views`` and
``portal.index.petition_documents``: one builder each, fed by either source), so the rows
kept this way are the rows a rebuild writes.

Only what the command *created* is complete in hand: an application received by this
command has no petition and no step that this command did not write, so the rows noted
here are all its rows. A petition the command merely loads (a workflow step) is not noted
and is read as before. Inside a replayed batch (``kernel.batch.scope``) the read models are
rebuilt from the database at the chunk's end, when a later command may have changed a row
noted here; they never look here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from django.db import connection, models

from minwon.kernel import sql
from minwon.kernel.bus import Context
from minwon.petitions.models import Application, Petition, PetitionStep

_KEY = "petitions.written"


@dataclasses.dataclass
class Received:
    """An application this command created, and every petition and step of it (all of
    them this command's own inserts, in insertion order)."""

    application: Application
    petitions: list[Petition] = dataclasses.field(default_factory=list)
    steps: dict[int, list[PetitionStep]] = dataclasses.field(default_factory=dict)

    def steps_of(self, petition: Petition) -> list[PetitionStep]:
        """The petition's steps in the order the database gives them (time, then id)."""
        return sorted(self.steps.get(petition.pk, ()), key=lambda s: (s.at, s.pk))


def _noted(ctx: Context) -> dict[str, Received]:
    found: dict[str, Received] | None = ctx.memo.get(_KEY)
    if found is None:
        found = ctx.memo[_KEY] = {}
    return found


def note_application(ctx: Context, application: Application) -> None:
    """``application`` was inserted by this command (before any petition of it)."""
    _noted(ctx)[application.receipt_number] = Received(application)


def note_petition(ctx: Context, petition: Petition) -> None:
    """``petition`` was inserted by this command; noted when its application was."""
    found = ctx.memo.get(_KEY, {}).get(petition.application.receipt_number)
    if found is not None and found.application is petition.application:
        found.petitions.append(petition)
        found.steps[petition.pk] = []


def note_step(ctx: Context, step: PetitionStep) -> None:
    """``step`` was inserted by this command; noted when its petition was."""
    found = ctx.memo.get(_KEY, {}).get(step.petition.application.receipt_number)
    if found is not None and step.petition_id in found.steps:
        found.steps[step.petition_id].append(step)


def application(ctx: Context, receipt_number: str) -> Received | None:
    """The application of ``receipt_number`` with all its rows, if this command created it."""
    found: Received | None = ctx.memo.get(_KEY, {}).get(receipt_number)
    return found


_inserts: dict[type[models.Model], tuple[list[Any], sql.Insert]] = {}


def create_many(objs: Sequence[models.Model]) -> None:
    """Insert new rows of one model as ``sql.create`` inserts each (``pre_save`` hooks,
    each field's own database form), with one multi-row ``INSERT … RETURNING id`` per
    ``sql.Insert.MANY_CHUNK`` rows; their ids come back in the order of ``objs`` (both
    databases return a multi-row insert's rows in the order of its VALUES) and are set on
    them. For the set path of the continuity replay (``intake.submit_many``)."""
    if not objs:
        return
    model = type(objs[0])
    found = _inserts.get(model)
    if found is None:
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        if meta.auto_field is None or any(f.generated or f.has_db_default() for f in fields):
            raise TypeError(f"{model.__name__} needs Model.save()")
        found = _inserts[model] = (
            fields,
            sql.Insert(model, tuple(f.name for f in fields), returning_id=True),
        )
    fields, insert = found
    if any(type(obj) is not model for obj in objs):
        raise TypeError("create_many takes rows of one model")
    ids = insert.ids([[f.pre_save(obj, True) for f in fields] for obj in objs])
    alias = connection.alias
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias
