"""The room's own words: the charts' span in Korea time rendered by the server, the wall
clock started from the server's clock, alerts with when and how long ago."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from minwon.kernel import clock
from minwon.kernel.clock import SEOUL

pytestmark = pytest.mark.django_db

# 08:30 in Seoul is 23:30 of the day before in UTC.
ANCHOR = datetime(2026, 12, 2, 8, 30, 15, tzinfo=SEOUL)


def test_room_writes_the_chart_span_and_alerts_in_korea_time(operator: Any) -> None:
    client = Client()
    client.force_login(operator)
    with clock.frozen_at(ANCHOR):
        html = client.get("/ops/").content.decode()
    assert "2026년 12월 2일 (수) 02:30 ~ 08:30 (한국 시간)" in html
    assert f'data-server-now="{int(ANCHOR.timestamp() * 1000)}"' in html
    # A fresh installation's 백업 누락 alarm: when, in words, and how long ago.
    with clock.frozen_at(ANCHOR + timedelta(minutes=42)):
        alerts = client.get("/ops/live/alerts").content.decode()
    assert re.search(r"2026년 12월 2일 \(수\) 08:30</time> 발생 \(42분 경과\)", alerts), alerts
