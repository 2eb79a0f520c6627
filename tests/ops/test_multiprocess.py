"""Two real processes count into the same minutes: the database rollups and the
Prometheus multiprocess files both add up to the sum of what each process did."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Sum
from prometheus_client import CollectorRegistry, multiprocess

from minwon.kernel.models import CommandRecord
from minwon.ops.models import MetricMinute, ProcessHeartbeat

CHILD = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minwon.config.settings")
import django
django.setup()
from minwon.accounts.commands import RecordSignIn
from minwon.kernel import execute
from minwon.kernel.types import NATION, Actor, Channel
from minwon.ops import rollups

n = int(sys.argv[1])
for i in range(n):
    execute(RecordSignIn(actor=Actor.system("probe"), channel=Channel.ONLINE, jurisdiction=NATION))
    rollups.record("probe", key="tick", n=1, total=0.5)
    if i % 7 == 0:
        rollups.flush()
rollups.flush()
"""


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST']}:{s['PORT']}/{s['NAME']}?pool=0"


@pytest.mark.django_db(transaction=True)
def test_two_processes_add_up(tmp_path: Path) -> None:
    prom_dir = tmp_path / "prom"
    prom_dir.mkdir()
    env = {
        **os.environ,
        "MINWON_DATABASE_URL": database_url(),
        "PROMETHEUS_MULTIPROC_DIR": str(prom_dir),
        "MINWON_OPS_FLUSH_SECONDS": "3600",
        "MINWON_DISABLE_POOL": "1",
    }
    env.pop("MINWON_TEST_SQLITE_NAME", None)
    counts = (120, 80)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(n)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in counts
    ]
    for child in children:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err.decode()[-2000:]

    total = sum(counts)
    assert CommandRecord.objects.filter(name="RecordSignIn").count() == total
    logins = MetricMinute.objects.filter(metric="category", key="logins").aggregate(v=Sum("n"))["v"]
    assert logins == total
    probe = MetricMinute.objects.filter(metric="probe").aggregate(n=Sum("n"), t=Sum("total"))
    assert probe["n"] == total
    assert probe["t"] == pytest.approx(total * 0.5)
    assert ProcessHeartbeat.objects.count() == 2

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(prom_dir))  # type: ignore[no-untyped-call]
    value = registry.get_sample_value(
        "minwon_commands_total",
        {
            "command": "RecordSignIn",
            "channel": "online",
            "jurisdiction": "0000000000",
            "outcome": "ok",
        },
    )
    assert value == total
    room = registry.get_sample_value(
        "minwon_room_events_total",
        {"category": "logins", "channel": "online", "jurisdiction": "0000000000"},
    )
    assert room == total
