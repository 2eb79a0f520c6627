"""Attachments on the petition pages: the documents part of the citizen's apply form (one
file input per document, ``petitions/_apply_documents.html``), the staging of files when
the citizen moves to the review step, the 보완 upload, and the download that reads a file
through the petition's policy.

Files are checked and stored sealed when they arrive (``files.stage``); the pages then
carry only their references (``staged:<type>`` hidden inputs, one JSON reference each)
until the final submit puts them in the command, whose handler verifies every one against
storage — so an edited hidden input gains nothing.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from pydantic import TypeAdapter, ValidationError

from minwon.accounts.actors import actor_for_request
from minwon.kernel.errors import ValidationFailed
from minwon.petitions import files, policies
from minwon.petitions.commands import ApplicationItem
from minwon.petitions.files import AttachmentRef
from minwon.petitions.models import Attachment, PetitionType

SUPPLEMENT_DOCUMENT = "보완 서류"
_REF = TypeAdapter(AttachmentRef)


def limit_words() -> str:
    """The size limit as the forms state it (``10.0 MB``)."""
    return files.size_words(files.max_bytes())


def field_name(code: str, index: int) -> str:
    """The file input of a type's ``index``-th document (``attach:<type>:<n>``)."""
    return f"{files.FIELD_PREFIX}:{code}:{index}"


def _staged(post: Any, code: str) -> list[AttachmentRef]:
    refs = []
    for raw in post.getlist(f"staged:{code}"):
        try:
            refs.append(_REF.validate_json(raw))
        except ValidationError:
            raise ValidationFailed(
                "올린 파일의 정보가 올바르지 않습니다. 파일을 다시 올리세요.",
                "A staged file's reference is invalid; upload it again.",
                field="attachments",
                code="attachment_reference",
            ) from None
    return refs


def _uploaded(request: HttpRequest, ptype: PetitionType) -> dict[str, AttachmentRef]:
    """The files uploaded now for ``ptype``'s documents, checked and stored, by document."""
    found = {}
    for n, doc in enumerate(ptype.documents):
        name = field_name(ptype.code, n)
        if files.oversized(request, name):
            raise files.too_big(doc["name"])
        upload = request.FILES.get(name)
        if upload is not None and doc["source"] == "applicant":
            found[doc["name"]] = files.stage(upload, document=doc["name"])
    return found


def with_files(
    request: HttpRequest,
    types: dict[str, PetitionType],
    items: list[ApplicationItem],
    *,
    upload: bool,
) -> list[ApplicationItem]:
    """The online form's items with their files: the ones staged earlier (hidden inputs),
    replaced by any uploaded now (``upload``: moving to the review step), and the
    documents marked for the counter (``later:<type>``). The online page hands nothing in
    by name: a document is a file or, where the catalog allows, a promise."""
    out = []
    for item in items:
        ptype = types.get(item.type_code)
        if ptype is None:
            out.append(item)
            continue
        refs = {r.document: r for r in _staged(request.POST, ptype.code)}
        if upload:
            try:
                refs.update(_uploaded(request, ptype))
            except ValidationFailed as exc:
                raise ValidationFailed(
                    f"{ptype.name}: {exc.message_ko}",
                    f"{ptype.name_en or ptype.code}: {exc.message_en}",
                    field=exc.field,
                    code=exc.code,
                ) from None
        later = [d for d in request.POST.getlist(f"later:{ptype.code}") if d not in refs]
        out.append(
            dataclasses.replace(item, documents=[], attachments=list(refs.values()), later=later)
        )
    return out


def missing_files(types: dict[str, PetitionType], items: list[ApplicationItem]) -> str:
    """Before the review: the first required document with neither a file nor (where it
    may) a promise, in words (the command refuses the same at filing)."""
    for item in items:
        ptype = types.get(item.type_code)
        if ptype is None:
            continue
        given = {a.document for a in item.attachments} | set(item.later)
        for doc in ptype.documents:
            if doc["source"] == "applicant" and doc.get("required") and doc["name"] not in given:
                if doc.get("later"):
                    return gettext(
                        "%(type)s: '%(doc)s' 파일을 올리거나 '창구에서 나중에 제출'을 고르세요."
                    ) % {"type": ptype.name, "doc": doc["name"]}
                return gettext("%(type)s: '%(doc)s' 파일을 올리세요.") % {
                    "type": ptype.name,
                    "doc": doc["name"],
                }
    return ""


def decorate(rows: list[dict[str, Any]], items: list[ApplicationItem]) -> None:
    """Each document row of the form gets its file input's name, the file staged for it
    and whether it was marked for the counter (kept across the review and a refusal)."""
    by_code = {i.type_code: i for i in items}
    for row in rows:
        item = by_code.get(row["t"].code)
        staged = {a.document: a for a in item.attachments} if item else {}
        later = set(item.later) if item else set()
        for n, doc in enumerate(row["documents"]):
            ref = staged.get(doc["name"])
            doc.update({
                "input": field_name(row["t"].code, n), "staged": ref,
                "staged_json": json.dumps(_REF.dump_python(ref, mode="json"), ensure_ascii=False) if ref else "",
                "staged_size": files.size_words(ref.size) if ref else "",
                "later_checked": doc["name"] in later, "limit": limit_words(),
            })  # fmt: skip


def hidden_inputs(items: list[ApplicationItem]) -> list[tuple[str, str]]:
    """What the review page carries to the final submit: one reference per staged file
    and the documents marked for the counter."""
    out = []
    for item in items:
        for ref in item.attachments:
            out.append((f"staged:{item.type_code}", json.dumps(_REF.dump_python(ref, mode="json"))))
        out += [(f"later:{item.type_code}", name) for name in item.later]
    return out


def supplement_files(request: HttpRequest) -> list[AttachmentRef]:
    """The files of a 보완 form, checked and stored."""
    if files.oversized(request, files.FIELD_PREFIX):
        raise files.too_big(SUPPLEMENT_DOCUMENT)
    uploads = request.FILES.getlist(files.FIELD_PREFIX)
    if len(uploads) > files.MAX_FILES:
        raise ValidationFailed(
            f"파일은 한 번에 {files.MAX_FILES}개까지 올릴 수 있습니다.",
            f"At most {files.MAX_FILES} files at once.",
            field="attachments",
            code="attachment_count",
        )
    return [files.stage(u, document=SUPPLEMENT_DOCUMENT) for u in uploads]


def listed(petition: Any) -> list[dict[str, Any]]:
    """A petition's attachments as its pages list them."""
    return [
        {"a": a, "type_name": files.ALLOWED.get(a.content_type, a.content_type),
         "size_words": files.size_words(a.size), "short": a.sha256[:12]}
        for a in Attachment.objects.filter(petition=petition).order_by("attached_at", "id")
    ]  # fmt: skip


@login_required
def download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """One attachment, to the applicant or to staff who may read its petition (404 for
    anyone else), as the detected type and never rendered inline by guesswork."""
    found = policies.attachment(actor_for_request(request), attachment_id)
    try:
        data = files.read(found.storage_key)
    except ValueError:
        raise Http404 from None
    response = HttpResponse(data, content_type=found.content_type)
    response["Content-Disposition"] = content_disposition_header(True, _download_name(found))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _download_name(found: Attachment) -> str:
    name = found.file_name
    extension = files.EXTENSIONS.get(found.content_type, "")
    fits = name.lower().endswith((extension, ".jpeg") if extension == ".jpg" else extension)
    return name if fits else f"{name}{extension}"
