"""제증명: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class DocumentsPermission(Permissions):
    """제증명 (documents)."""

    READ = "documents.read", "발급대장 열람"
    ISSUE = "documents.issue", "증명서 발급"
    AGENCY_ISSUE = "documents.agency_issue", "기관 시스템의 발급"
