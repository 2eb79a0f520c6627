"""Demo local-tax bills: 자동차세 for every vehicle, 재산세(토지) for every parcel and
주민세 for every household head, this year's mostly open, last year's mostly paid, a few in
arrears."""

from __future__ import annotations

from datetime import date, timedelta

from tqdm import tqdm

from minwon.kernel import clock
from minwon.kernel.demo import DEMO_CITIES, DemoContext
from minwon.kernel.types import Actor, Channel
from minwon.registry.demo import builder

from .commands import ImportTaxBills, TaxBillRow

SYSTEM = Actor.system("demo")
BATCH = 5000


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng("tax")
    today = clock.now().date()
    year = today.year
    households = ctx.shared.get("registry.households", [])
    city_of = {pid: city for _, ids, city, _, _ in households for pid in ids}
    citizens = ctx.shared.get("registry.citizens", {})
    for username, pid in citizens.items():
        city_of[pid] = {"citizen1": "wonju", "citizen2": "jeonju", "citizen3": "gongju"}[username]
    rows: dict[str, list[TaxBillRow]] = {c: [] for c in DEMO_CITIES}

    def bill(pid: int, item: str, period: str, amount: int, due: date, **links: int) -> None:
        paid = None
        if due < today and rng.random() < 0.93:
            paid = due - timedelta(days=rng.randint(0, 20))
        rows[city_of.get(pid, "wonju")].append(
            TaxBillRow(taxpayer_id=pid, item=item, period=period, amount=amount, due_on=due,
                       issued_on=due - timedelta(days=25), paid_on=paid, **links)  # type: ignore[arg-type]
        )  # fmt: skip

    for vid, owner in ctx.shared.get("vehicles.owned", []):
        for half, due in ((f"{year} 1기", date(year, 6, 30)), (f"{year} 2기", date(year, 12, 31))):
            bill(owner, "vehicle", half, rng.randint(50, 300) * 1000, due, vehicle_id=vid)
    for parcel_id, owner in ctx.shared.get("land.owned", []):
        bill(
            owner,
            "property_land",
            f"{year}",
            rng.randint(20, 900) * 1000,
            date(year, 9, 30),
            parcel_id=parcel_id,
        )
    for _, ids, _, _, _ in households:
        bill(ids[0], "resident", f"{year}", 10000, date(year, 8, 31))
    for city, city_rows in rows.items():
        for at in tqdm(
            range(0, len(city_rows), BATCH),
            desc=f"지방세 {city}",
            disable=ctx.quiet or ctx.out is None,
        ):
            chunk = city_rows[at : at + BATCH]
            ctx.run(
                f"tax:import:{city}:{at}",
                builder(
                    ImportTaxBills, actor=SYSTEM, channel=Channel.SYSTEM,
                    jurisdiction=DEMO_CITIES[city], rows=chunk,
                ),
            )  # fmt: skip
    ctx.say(f"tax: {sum(len(r) for r in rows.values())} bills")
