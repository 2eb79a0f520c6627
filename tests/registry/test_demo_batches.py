"""The registry demo's residents, generated in a worker process one batch ahead, are the
batches generated in this process: same households, names, numbers, relationships and dates
for the same seed (the demo's command ids name the batches by their number, so a second
run replays them), and every number sealed so it opens to the generated one."""

from __future__ import annotations

from datetime import date

from minwon.registry import demo

DONGS = {
    "wonju": ["5113055000", "5113066000"],
    "jeonju": ["5211171100"],
    "gongju": ["4415057000"],
}


def _plain(batches: list[demo.Batch]) -> list[object]:
    return [(plain, count) for plain, _, count in batches]


def test_the_worker_process_yields_the_batches_made_here() -> None:
    args = (20261121, 230, DONGS, date(2026, 3, 1))
    here = list(demo.generated(*args, per=50, worker=False))
    there = list(demo.generated(*args, per=50, worker=True))
    assert len(here) >= 5 and sum(count for _, _, count in here) == 230
    assert _plain(there) == _plain(here)
    for plain, rows, _ in there:
        for (_, code, road, detail, moved, members), row in zip(plain, rows, strict=True):
            assert (row.address_code, row.road_address, row.address_detail) == (code, road, detail)
            assert row.moved_in_on == moved
            opened = [(m.name, m.sealed_rrn.open(), m.relationship) for m in row.members]
            assert [(n, o.front + o.back, rel) for n, o, rel in opened] == members
    # another seed, other people
    assert _plain(list(demo.generated(1, 230, DONGS, date(2026, 3, 1), per=50))) != _plain(here)
