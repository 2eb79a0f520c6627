"""송달 증명: a signed PDF of one notice — what was sent, to whom, when it was delivered on
each channel, opened and acknowledged — that anyone can check like a certificate.

It is signed with the sending jurisdiction's document key through the same PAdES path as
certificates (``documents.signing`` and ``documents.pdf.writer``), and its SHA-256 is kept
(``DeliveryReceipt``), so an uploaded copy verifies byte for byte and one changed byte
fails. The command that issues it goes into the audit chain with the digest of the
timeline it attests, anchoring the lifecycle steps at that moment.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from minwon.documents.pdf import writer
from minwon.documents.pdf.canvas import A4, Canvas
from minwon.documents.signing import signer_for
from minwon.kernel import clock
from minwon.kernel.bus import Context
from minwon.kernel.errors import NotFound
from minwon.kernel.registry import handler
from minwon.kernel.types import ActorKind, Command, digest
from minwon.notices import lifecycle, policies
from minwon.notices.models import DeliveryReceipt, Notice

LEFT = 50.0
_static: writer.StaticForm | None = None


def _form() -> writer.StaticForm:
    global _static
    if _static is None:
        c = Canvas()
        c.text(A4[0] / 2, 790, "송 달 증 명 서", size=20, bold=True, align="center")
        c.text(A4[0] / 2, 770, "(전자고지 송달 및 열람 기록)", size=9, align="center")
        for n, label in enumerate(("증명번호", "발송 기관", "수신인", "송달 주소", "제목",
                                   "기한", "양식")):  # fmt: skip
            c.rect(LEFT, 715 - n * 22, 110, 22, width=0.4, fill=0.93)
            c.rect(LEFT + 110, 715 - n * 22, A4[0] - 2 * LEFT - 110, 22, width=0.4)
            c.text(LEFT + 8, 722 - n * 22, label, size=9, bold=True)
        c.text(LEFT, 540, "송달 이력 (한국 시간)", size=11, bold=True)
        c.text(LEFT, 80, "위와 같이 전자문서로 송달되었음을 증명합니다.", size=8)
        c.text(
            LEFT,
            68,
            "이 문서는 전자서명되어 있으며, 파일의 진위는 발급 기록과 대조해 확인합니다.",
            size=7,
        )
        _static = writer.build_static(c)
    return _static


def number_for(command_id: Any) -> str:
    return str(int(hashlib.sha256(str(command_id).encode()).hexdigest(), 16))[-16:].zfill(16)


def render(notice: Notice, number: str, *, at: Any) -> bytes:
    steps = lifecycle.timeline(notice)
    c = Canvas()
    width = A4[0] - 2 * LEFT - 124
    values = [number, notice.jurisdiction.full_name, notice.recipient_name, notice.address,
              notice.subject, f"{notice.deadline_label} {notice.deadline_on:%Y-%m-%d}",
              f"{notice.kind} v{notice.template_version}"]  # fmt: skip
    for n, value in enumerate(values):
        c.fit_text(LEFT + 118, 722 - n * 22, value, width, size=9)
    y = 520.0
    for s in steps[:22]:
        c.text(LEFT, y, f"{clock.local(s.at):%Y-%m-%d %H:%M:%S}", size=9)
        c.text(LEFT + 120, y, s.get_kind_display(), size=9, bold=True)
        c.text(LEFT + 190, y, s.get_channel_display() if s.channel else "", size=9)
        c.fit_text(LEFT + 270, y, s.detail, A4[0] - 2 * LEFT - 270, size=8)
        y -= 18
    c.text(A4[0] / 2, 130, f"{clock.local(at):%Y년 %m월 %d일 %H:%M}", size=11, align="center")
    c.text(A4[0] / 2, 105, notice.jurisdiction.full_name + "장", size=16, bold=True,
           align="center")  # fmt: skip
    return writer.write_signed(
        static=_form(), data=c, extra_content=b"", title="송달 증명서",
        document_number=number, signed_at=clock.local(at),
        reason=f"송달 증명 (증명번호 {number})", signer=signer_for(notice.jurisdiction_id),
    )  # fmt: skip


@dataclasses.dataclass(frozen=True, kw_only=True)
class IssueDeliveryReceipt(Command):
    """송달 증명 발급, on request of the recipient (or staff in scope, e.g. for an appeal)."""

    notice_id: int


@handler(IssueDeliveryReceipt)
def issue_delivery_receipt(cmd: IssueDeliveryReceipt, *, ctx: Context) -> dict[str, Any]:
    if ctx.actor.kind == ActorKind.CITIZEN:
        notice = policies.own_notice(ctx.actor, cmd.notice_id)
    else:
        found = policies.visible_notices(ctx.actor).filter(pk=cmd.notice_id).first()
        if found is None:
            raise NotFound("알림을 찾을 수 없습니다.", "Notice not found.", field="notice_id")
        notice = found
    notice = Notice.objects.select_related("jurisdiction").get(pk=notice.pk)
    number = number_for(ctx.command.command_id)
    pdf = render(notice, number, at=ctx.recorded_at)
    sha = hashlib.sha256(pdf).hexdigest()
    DeliveryReceipt.objects.create(
        number=number, notice=notice, issued_at=ctx.recorded_at, content_sha256=sha, pdf=pdf,
        command_id=ctx.command.command_id,
    )  # fmt: skip
    attested = [(s.kind, s.channel, s.at.isoformat()) for s in lifecycle.timeline(notice)]
    return {"number": number, "sha256": sha, "timeline_digest": digest(attested)}


def verify_receipt(data: bytes) -> str:
    """``genuine`` (exactly an issued receipt), ``altered`` (names one but differs) or
    ``unknown``."""
    if DeliveryReceipt.objects.filter(content_sha256=hashlib.sha256(data).hexdigest()).exists():
        return "genuine"
    marker = writer.NUMBER_KEY + b" ("
    at = data.find(marker)
    if at >= 0:
        number = data[at + len(marker) : at + len(marker) + 16].decode("ascii", "replace")
        if DeliveryReceipt.objects.filter(pk=number).exists():
            return "altered"
    return "unknown"


def receipt_pdf(number: str) -> bytes | None:
    row = DeliveryReceipt.objects.filter(pk=number).values_list("pdf", flat=True).first()
    return bytes(row) if row is not None else None
