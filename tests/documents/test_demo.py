"""The demo issues certificates on every channel, each verifiable, and a second run issues
nothing new."""

from __future__ import annotations

import io

import pytest

from minwon.documents.models import Issuance
from minwon.documents.queries import verify_file
from minwon.kernel.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_demo_issues_verifiable_certificates_once(jurisdictions_loaded: None) -> None:
    from minwon.accounts import demo as accounts_demo
    from minwon.documents import demo
    from minwon.documents.models import IssuedFile
    from minwon.registry import demo as registry_demo

    out = io.StringIO()
    ctx = DemoContext(residents=0, out=out)
    accounts_demo.seed(ctx)
    registry_demo.seed(ctx)
    demo.seed(ctx)
    issued = list(Issuance.objects.order_by("issued_at"))
    assert sorted(i.channel for i in issued) == ["counter", "kiosk", "online"]
    for issuance in issued:
        pdf = IssuedFile.objects.get(pk=issuance.document_number).content()
        assert verify_file(pdf).status == "genuine"
        assert issuance.document_number in out.getvalue()
    demo.seed(ctx)
    assert Issuance.objects.count() == 3
