"""Move-ins per second including propagation (vehicles' 사용본거지, tax mailing address,
licensing notices, the inbox message), each through ``execute`` in its own transaction.

    .venv/bin/python bench/registry_movein.py --db sqlite --persons 5000 --moves 500
    .venv/bin/python bench/registry_movein.py --db postgres --persons 5000 --moves 500
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import date, timedelta

from registry_common import database, import_residents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--moves", type=int, default=500)
    args = parser.parse_args()
    with database(args.db):
        from minwon.kernel import clock, execute
        from minwon.kernel.types import Actor, Channel
        from minwon.registry.movein import Mover, ReportMoveIn
        from minwon.tax.commands import ImportTaxBills, TaxBillRow
        from minwon.vehicles.commands import ImportVehicles, VehicleRow

        households = import_residents(args.persons, progress=False)
        system = Actor.system("bench")
        singles = [ids[0] for ids in households if len(ids) == 1][: args.moves]
        execute(ImportVehicles(actor=system, channel=Channel.SYSTEM, jurisdiction="0000000000",
                               rows=[VehicleRow(plate=f"{10 + n // 9000}가{1000 + n % 9000}",
                                                vin=f"KMH{n:014d}", model_name="아반떼", model_year=2020,
                                                owner_id=pid, registered_on=date(2020, 1, 1))
                                     for n, pid in enumerate(singles)]))  # fmt: skip
        execute(ImportTaxBills(actor=system, channel=Channel.SYSTEM, jurisdiction="5113000000",
                               rows=[TaxBillRow(taxpayer_id=pid, item="vehicle", period="2026 2기",
                                                amount=100000, due_on=date(2026, 12, 31),
                                                issued_on=date(2026, 12, 1)) for pid in singles]))  # fmt: skip
        today = clock.now().date()
        start = time.perf_counter()
        for n, pid in enumerate(singles):
            execute(
                ReportMoveIn(
                    actor=system, channel=Channel.COUNTER, jurisdiction="5113066000",
                    movers=[Mover(person_id=pid, relationship="head")],
                    road_address=f"강원특별자치도 원주시 무실로 {n % 300 + 1}",
                    address_code="5113066000", moved_in_on=today - timedelta(days=2),
                )
            )  # fmt: skip
        elapsed = time.perf_counter() - start
    rate = len(singles) / elapsed
    print(
        f"machine: {platform.node()} {platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    print(f"database: {args.db}; persons: {args.persons}; move-ins: {len(singles)} "
          f"(each with 1 vehicle and 1 open tax bill)")  # fmt: skip
    print(
        f"move-ins/s (incl. propagation): {rate:.1f}  ({elapsed * 1000 / len(singles):.2f} ms each)"
    )


if __name__ == "__main__":
    main()
