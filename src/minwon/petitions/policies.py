"""Who may read an application or a petition, and which workflow actions an actor may
take on one — decided here for the pages, the API and other apps (DESIGN §3.6).

- An application is readable by its applicant (the citizen account that filed it, or whose
  verified identity it was filed under at a counter, by mail or at a kiosk) and by staff
  holding ``petitions.read`` over its receiving office or any office one of its petitions
  was transferred to. Anyone else — and a receipt number that does not exist — gets the
  same 404. A staff read shows the applicant's personal data and is access-logged.
- A petition is readable by staff holding ``petitions.read`` over the petition's own
  jurisdiction (where it is handled now).
- The actions a page offers are derived from the workflow itself: each transition's
  handler names the permission it requires and the states it accepts
  (``require_staff`` / ``require_applicant_or`` and ``ensure_state`` in
  ``commands/workflow.py``), so this module never restates the transition table; a
  command type may instead declare ``from_states`` and ``permission`` as class attributes.
- Without logging in or the applicant's second factor (``tracking``), a petition number
  shows only its type's category and whether it is open (Open311): no note, department or
  date. A sensitive type (``PetitionType.sensitive``: 국민기초생활보장, 장애인 등록 …) shows
  nothing and answers exactly as a number that does not exist, since that someone applied
  for it is itself personal data.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from minwon.accounts import policies as base
from minwon.kernel.errors import NotFound
from minwon.kernel.privacy import log_access
from minwon.kernel.types import Actor, ActorKind, Channel
from minwon.petitions import queries
from minwon.petitions.models import Application, Attachment, Petition
from minwon.petitions.permissions import PetitionsPermission

READ = PetitionsPermission.READ
PROCESS = PetitionsPermission.PROCESS
INTAKE = PetitionsPermission.INTAKE
OVERSEE = PetitionsPermission.OVERSEE


def not_found() -> NotFound:
    return NotFound("민원을 찾을 수 없습니다.", "Petition not found.", field="receipt_number")


# --- reading ------------------------------------------------------------------------------


def visible(actor: Actor, permission: str = READ) -> QuerySet[Petition]:
    """Petitions whose own jurisdiction lies in ``actor``'s scopes for ``permission``."""
    qs = Petition.objects.select_related("application", "type", "officer", "jurisdiction")
    return base.restrict(qs, actor, permission)


def offices_of(application: Application) -> list[str]:
    """The receiving office and every office a petition of it was transferred to."""
    codes = Petition.objects.filter(application=application).values_list(
        "jurisdiction_id", flat=True
    )
    return [application.jurisdiction_id, *sorted(set(codes) - {application.jurisdiction_id})]


def can_read_application(actor: Actor, application: Application) -> bool:
    if actor.kind == ActorKind.CITIZEN:
        return queries.is_applicant(application, actor.id)
    if actor.kind in (ActorKind.STAFF, ActorKind.AGENCY, ActorKind.SYSTEM):
        return any(base.may(actor, READ, code) for code in offices_of(application))
    return False


def application(
    actor: Actor, receipt_number: str, *, channel: Channel | str = Channel.COUNTER
) -> Application:
    """The application ``actor`` may read (the same 404 otherwise); a staff or agency read
    is access-logged as a read of the applicant."""
    found = Application.objects.filter(receipt_number=receipt_number).first()
    if found is None or not can_read_application(actor, found):
        raise not_found()
    if actor.kind in (ActorKind.STAFF, ActorKind.AGENCY) and found.identity_index:
        log_access(
            actor=actor, channel=channel, subject_type="petition_applicant",
            subject_id=found.identity_index, what="민원 신청서", purpose="민원 처리",
            jurisdiction=found.jurisdiction_id,
        )  # fmt: skip
    return found


def own_application(actor: Actor, receipt_number: str) -> Application:
    """The citizen's own application (the citizen pages); the same 404 for anyone else."""
    if actor.kind != ActorKind.CITIZEN:
        raise not_found()
    return application(actor, receipt_number, channel=Channel.ONLINE)


def petition(
    actor: Actor,
    receipt_number: str,
    item: int,
    *,
    channel: Channel | str = Channel.COUNTER,
    shown: bool = True,
) -> Petition:
    """One petition in ``actor``'s scope (the same 404 otherwise). Shown to staff, it shows
    the applicant's personal data, so the read is access-logged; an action that only names
    the petition (``shown=False``) is recorded by its command instead."""
    found = visible(actor).filter(application__receipt_number=receipt_number, seq=item).first()
    if found is None:
        raise not_found()
    if shown and found.application.identity_index and actor.kind == ActorKind.STAFF:
        log_access(
            actor=actor, channel=channel, subject_type="petition_applicant",
            subject_id=found.application.identity_index, what="민원 신청인 정보",
            purpose="민원 처리", jurisdiction=found.jurisdiction_id,
        )  # fmt: skip
    return found


def attachment(actor: Actor, attachment_id: int) -> Attachment:
    """One attachment, read through its petition: by the applicant, or by staff who may
    read the petition (its own jurisdiction), the read access-logged — a file handed in
    for a petition is the applicant's personal data. The same 404 for anyone else."""
    found = (
        Attachment.objects.select_related("petition__application").filter(pk=attachment_id).first()
    )
    if found is None:
        raise not_found()
    petition = found.petition
    if actor.kind == ActorKind.CITIZEN and queries.is_applicant(petition.application, actor.id):
        return found
    if actor.kind != ActorKind.STAFF or not base.may(actor, READ, petition.jurisdiction_id):
        raise not_found()
    log_access(
        actor=actor, channel=Channel.COUNTER, subject_type="petition_applicant",
        subject_id=petition.application.identity_index or petition.application.receipt_number,
        what=f"첨부 파일 {found.document}", purpose="민원 처리",
        jurisdiction=petition.jurisdiction_id,
    )  # fmt: skip
    return found


def require_staff_page(actor: Actor, permission: str) -> None:
    """A staff list page (queue, load, intake) needs ``permission`` somewhere; what it
    lists is scoped by ``visible``."""
    base.require_staff(actor)
    base.require_anywhere(actor, permission)


def require_staff(actor: Actor) -> None:
    base.require_staff(actor)


def can_process(actor: Actor, petition: Petition) -> bool:
    """Whether ``actor`` processes petitions where this one lies (its officer's view)."""
    return base.may(actor, PROCESS, petition.jurisdiction_id)


def processes_anywhere(actor: Actor) -> bool:
    return base.holds_anywhere(actor, PROCESS)


# --- acting: the workflow's own transition table ------------------------------------------


@dataclasses.dataclass(frozen=True)
class Transition:
    """One workflow action as its handler states it: the permission it requires (from
    staff; ``applicant`` when the applicant may also take it online) and the states of the
    petition it accepts."""

    action: str
    permission: str
    states: frozenset[str]
    applicant: bool


def _resolve(node: ast.expr, names: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, ast.Attribute):
        return getattr(_resolve(node.value, names), node.attr)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return tuple(_resolve(e, names) for e in node.elts)
    raise ValueError(f"cannot read {ast.dump(node)}")


def _from_handler(action: str, fn: Callable[..., Any]) -> Transition:
    """Read the handler's ``require_*`` and ``ensure_state`` calls, resolving the states
    expression in the handler's own module namespace."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    permission, applicant, states = None, False, None
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        name = node.func.id
        if name in ("require_staff", "require_applicant_or") and len(node.args) >= 3:
            permission = _resolve(node.args[2], fn.__globals__)
            applicant = name == "require_applicant_or"
        elif name == "ensure_state" and len(node.args) >= 3:
            states = frozenset(str(s) for s in _resolve(node.args[2], fn.__globals__))
    if permission is None or states is None:
        raise RuntimeError(f"the handler of {action!r} states no permission or no states")
    return Transition(action, permission, states, applicant)


@functools.cache
def transitions() -> dict[str, Transition]:
    """Every workflow action (``commands.workflow.ACTIONS``) with what it requires."""
    from minwon.kernel import registry
    from minwon.petitions.commands.workflow import ACTIONS

    table = {}
    for action, command_type in ACTIONS.items():
        declared = getattr(command_type, "from_states", None)
        if declared is not None and command_type.permission:
            table[action] = Transition(
                action, command_type.permission, frozenset(map(str, declared)), False
            )
        else:
            table[action] = _from_handler(action, registry.handler_for(command_type).fn)
    return table


def can_act(actor: Actor, petition: Petition, action: str) -> bool:
    """Whether ``actor`` may take ``action`` on ``petition`` now (state and scope)."""
    found = transitions().get(action)
    if found is None or petition.state not in found.states:
        return False
    if found.applicant and actor.kind == ActorKind.CITIZEN:
        return queries.is_applicant(petition.application, actor.id)
    return base.may(actor, found.permission, petition.jurisdiction_id)


def actions_for(actor: Actor, petition: Petition) -> list[str]:
    """The actions ``actor`` may take on ``petition`` now, in the workflow's order."""
    return [name for name in transitions() if can_act(actor, petition, name)]


def can_disclose_without_factor(petition: Petition | None) -> bool:
    """Whether anything of ``petition`` may be shown to a caller who proved nothing."""
    return petition is not None and petition.type.public and not petition.type.sensitive


def without_factor(petition: Petition) -> dict[str, Any]:
    """The public answer for a petition number alone: type category and status category."""
    return {
        "service_request_id": petition.number,
        "status": "open" if petition.is_open else "closed",
        "service_name": petition.type.category or "민원",
    }


# --- 결재 ------------------------------------------------------------------------------------


def approvable(actor: Actor) -> QuerySet[Petition]:
    """Draft decisions awaiting 결재 where the actor may approve, soonest deadline first."""
    rows = Petition.objects.filter(state=Petition.State.AWAITING_APPROVAL).select_related(
        "application", "type", "drafted_by", "jurisdiction"
    )
    return base.restrict(rows, actor, PetitionsPermission.APPROVE).order_by("deadline_at", "id")


def approves_anywhere(actor: Actor) -> bool:
    return actor.kind == ActorKind.STAFF and base.holds_anywhere(actor, PetitionsPermission.APPROVE)


def draft_for_approval(actor: Actor, receipt_number: str, item: int) -> Petition:
    """One draft the actor may approve; the same 404 as an absent one otherwise."""
    found = approvable(actor).filter(application__receipt_number=receipt_number, seq=item).first()
    if found is None:
        raise not_found()
    return found
