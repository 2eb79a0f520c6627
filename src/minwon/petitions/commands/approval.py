"""결재: a decision whose petition type has a 결재선 (approval line) is an officer's draft
(기안) until every approver on the line has signed (결재); the last signature makes it the
decision the applicant is told. An approver may send it back (반려) with a comment, and
another holder of the approval permission may sign for an absent approver (대결), saying
for whom and why. The drafter never approves their own draft. The legal deadline keeps
running throughout.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from minwon.accounts.models import User
from minwon.accounts.permissions import grants_of
from minwon.kernel import jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import Forbidden, ValidationFailed
from minwon.kernel.registry import handler
from minwon.petitions.commands.common import (
    ensure_state,
    load_for_update,
    record_step,
    require_staff,
    result,
    save,
)
from minwon.petitions.commands.workflow import ACTIONS, PetitionCommand, take_effect
from minwon.petitions.models import Petition
from minwon.petitions.permissions import PetitionsPermission

S = Petition.State
ROLE_LABELS = {"department_head": "부서장"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApproveDecision(PetitionCommand):
    """결재 (or 대결 with ``acting_for``, the absent approver's account, and a reason): the
    next approver on the line signs the draft decision."""

    acting_for: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReturnDraft(PetitionCommand):
    """결재 반려: the approver sends the draft back to the officer with a comment; the
    petition is in review again and the draft's signatures are void."""


def _holds_role(ctx: Context, role: str, jurisdiction: str) -> bool:
    return any(
        r == role and jurisdictions.contains(scope, jurisdiction)
        for r, scope in grants_of(ctx.actor)
    )


def _next_role(petition: Petition) -> str:
    return str(petition.type.approval_line[len(petition.approvals)])


def _signer(ctx: Context, petition: Petition, cmd: ApproveDecision) -> dict[str, Any]:
    """Who signs, as what: the role holder (결재) or another approver for them (대결)."""
    role = _next_role(petition)
    if petition.drafted_by_id is not None and ctx.actor.id == petition.drafted_by_id:
        raise Forbidden("기안자는 자신의 기안을 결재할 수 없습니다.",
                        "The drafter cannot approve their own draft.", code="own_draft")  # fmt: skip
    entry: dict[str, Any] = {
        "role": role, "by": ctx.actor.id, "by_name": ctx.actor.name,
        "at": ctx.recorded_at.isoformat(), "acting_for": None, "comment": cmd.reason.strip(),
    }  # fmt: skip
    if cmd.acting_for is None:
        if not _holds_role(ctx, role, petition.jurisdiction_id):
            raise Forbidden(f"이 결재는 {ROLE_LABELS.get(role, role)}의 결재입니다. 대결이면 "
                            "결재권자와 사유를 적어 주세요.",
                            f"This 결재 is the {role}'s; name the absent approver to act for them.",
                            field="acting_for", code="not_the_approver")  # fmt: skip
        return entry
    absent = User.objects.filter(pk=cmd.acting_for, kind=User.Kind.STAFF).first()
    if absent is None or absent.pk == ctx.actor.id:
        raise ValidationFailed("대결할 결재권자를 찾을 수 없습니다.",
                               "The absent approver was not found.", field="acting_for")  # fmt: skip
    if not entry["comment"]:
        raise ValidationFailed("대결 사유를 입력하세요.", "A reason for acting is required.",
                               field="reason")  # fmt: skip
    entry["acting_for"] = {"id": absent.pk, "name": absent.display_name or absent.username}
    return entry


@handler(ApproveDecision)
def approve_decision(cmd: ApproveDecision, *, ctx: Context) -> dict[str, Any]:
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_staff(ctx, petition, PetitionsPermission.APPROVE)
    ensure_state(petition, "approve", (S.AWAITING_APPROVAL,))
    entry = _signer(ctx, petition, cmd)
    petition.approvals = [*petition.approvals, entry]
    save(petition, "approvals")
    acting = entry["acting_for"]
    note = f"대결({acting['name']} 대신): {entry['comment']}" if acting else entry["comment"]
    record_step(ctx, petition, "approve", note=note, public_note="결재")
    if len(petition.approvals) == len(petition.type.approval_line):
        take_effect(ctx, petition)
    return result(petition, approvals=len(petition.approvals))


@handler(ReturnDraft)
def return_draft(cmd: ReturnDraft, *, ctx: Context) -> dict[str, Any]:
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_staff(ctx, petition, PetitionsPermission.APPROVE)
    ensure_state(petition, "return_draft", (S.AWAITING_APPROVAL,))
    comment = cmd.reason.strip()
    if not comment:
        raise ValidationFailed("반려 사유를 입력하세요.", "A comment is required.", field="reason")
    petition.state = S.IN_REVIEW
    petition.approvals = []
    petition.outcome = ""
    save(petition, "state", "approvals", "outcome")
    record_step(ctx, petition, "return_draft", note=comment, public_note="검토 중")
    return result(petition)


# The API and the pages name the transitions by these.
ACTIONS["approve"] = ApproveDecision
ACTIONS["return-draft"] = ReturnDraft
