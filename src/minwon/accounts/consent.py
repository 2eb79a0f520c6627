"""The texts a citizen agrees to when opening an account (이용약관, 개인정보 수집·이용 동의),
each with a version. ``SignUpCitizen`` records the versions agreed to (``Consent`` rows),
so what a person accepted can be shown later even after a text changes: change a text,
change its version.

The privacy notice states what 개인정보 보호법 제15조 ② asks of a consent: the purpose,
the items collected, how long they are kept, and that one may refuse and what follows.
"""

from __future__ import annotations

import dataclasses

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclasses.dataclass(frozen=True)
class ConsentText:
    """One text to agree to: its key, version, title and paragraphs."""

    key: str
    version: str
    title: str | Promise  # translated when shown
    paragraphs: tuple[str | Promise, ...]


TERMS = ConsentText(
    key="terms",
    version="2026-12-01",
    title=_("이용약관"),
    paragraphs=(
        _("이 서비스는 지방자치단체가 민원 신청, 처리 과정 조회, 증명서 발급과 진위 확인을 "
          "위해 제공합니다."),
        _("회원은 본인의 정보로만 가입하고, 아이디와 비밀번호를 남에게 알려 주지 않아야 "
          "합니다. 다른 사람의 정보로 민원을 신청하거나 증명서를 발급받으면 법에 따라 "
          "처벌받을 수 있습니다."),
        _("서비스 점검이나 장애가 있을 때에는 가까운 행정복지센터 창구와 무인민원발급기를 "
          "이용할 수 있습니다."),
    ),
)  # fmt: skip

PRIVACY = ConsentText(
    key="privacy",
    version="2026-12-01",
    title=_("개인정보 수집·이용 동의"),
    paragraphs=(
        _("수집 항목: 이름, 주민등록번호(본인확인에만 쓰이며 암호화하여 보관), 아이디, "
          "비밀번호(복원할 수 없는 형태로 보관), 전자우편(적은 경우)."),
        _("이용 목적: 본인확인, 회원 관리, 민원 처리 결과와 고지서의 안내."),
        _("보유 기간: 회원 탈퇴 때까지. 다만 민원 처리 기록은 관계 법령이 정한 기간 동안 "
          "보관합니다."),
        _("동의를 거부할 수 있습니다. 거부하면 회원가입을 할 수 없으나, 창구와 "
          "무인민원발급기에서는 가입 없이 민원을 신청할 수 있습니다."),
    ),
)  # fmt: skip

TEXTS = {TERMS.key: TERMS, PRIVACY.key: PRIVACY}


def current_versions() -> dict[str, str]:
    """``{"terms": version, "privacy": version}`` of the texts shown today."""
    return {key: text.version for key, text in TEXTS.items()}


def current_versions_initial() -> dict[str, str]:
    """The sign-up form's hidden fields: the versions of the texts on the page."""
    return {f"{key}_version": version for key, version in current_versions().items()}


def check_versions(*, terms_version: str, privacy_version: str) -> dict[str, str]:
    """The agreements given, each to the version shown today; a text changed between
    showing and agreeing is refused (400 naming the agreement's field)."""
    from minwon.kernel.errors import ValidationFailed

    given = {"terms": terms_version.strip(), "privacy": privacy_version.strip()}
    current = current_versions()
    for key, field in (("terms", "agree_terms"), ("privacy", "agree_privacy")):
        if given[key] and given[key] != current[key]:
            raise ValidationFailed(
                "동의한 문서가 바뀌었습니다. 화면을 새로 고친 뒤 다시 확인하고 동의하세요.",
                "The text you agreed to has changed. Reload the page, read it again and agree.",
                field=field,
            )
    return {key: version for key, version in given.items() if version}
