"""The 소급 적용 대기열 in words: when the edge acted (Korea time), how long an item has
waited, and the refused field named as people name it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from minwon.kernel import clock, execute
from minwon.kernel.clock import SEOUL
from minwon.kernel.types import NATION, Actor, Channel
from tests.conftest import WONJU

pytestmark = pytest.mark.django_db

QUEUED = datetime(2026, 12, 2, 8, 30, tzinfo=SEOUL)


def test_queue_says_when_and_how_long_in_words(make_staff: Callable[..., Any]) -> None:
    from minwon.continuity.commands import QueueReconciliation

    with clock.frozen_at(QUEUED):
        execute(QueueReconciliation(
            actor=Actor.system("replay"), channel=Channel.SYSTEM, jurisdiction=WONJU,
            edge_id="wonju-1", original_id=uuid.uuid4(), name="IssueCertificate", payload={},
            original_occurred_at=QUEUED - timedelta(hours=1), error_code="validation_failed",
            error_message="발급 대상을 고르세요.", error_field="subject",
        ))  # fmt: skip
    client = Client()
    client.force_login(make_staff("sysadmin", NATION))
    with clock.frozen_at(QUEUED + timedelta(days=2, hours=3, minutes=5)):
        html = client.get("/staff/continuity/queue/").content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "2026년 12월 2일 (수) 07:30 대기 2일 3시간 경과" in text, text
    assert "(항목: 발급 대상)" in text and "(subject)" not in text
