"""Demo vehicles: about one for every two residents' households' adults (Korea has ~0.5
registered cars per person), through ``ImportVehicles`` batches, plus the demo citizen
김민원's car (a move-in she reports now changes its 사용본거지)."""

from __future__ import annotations

from datetime import date, timedelta

from tqdm import tqdm

from minwon.kernel import clock
from minwon.kernel.demo import DemoContext
from minwon.kernel.types import Actor, Channel
from minwon.registry.demo import builder

from .commands import ImportVehicles, VehicleRow

SYSTEM = Actor.system("demo")
HANGUL = "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주하허호"
MODELS = [("아반떼", "승용"), ("쏘나타", "승용"), ("그랜저", "승용"), ("K5", "승용"), ("투싼", "승용"),
          ("쏘렌토", "승용"), ("스포티지", "승용"), ("모닝", "승용"), ("포터2", "화물"), ("봉고3", "화물"),
          ("카니발", "승합"), ("아이오닉5", "승용"), ("EV6", "승용"), ("캐스퍼", "승용")]  # fmt: skip
BATCH = 2000


def plate_of(n: int) -> str:
    """Unique plate for the n-th demo vehicle (2-digit prefix; hand-made ones use 3)."""
    r, d = divmod(n, 9000)
    return f"{10 + r // len(HANGUL)}{HANGUL[r % len(HANGUL)]}{1000 + d}"


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng("vehicles")
    today = clock.now().date()
    households = ctx.shared.get("registry.households", [])
    rows: list[VehicleRow] = []
    citizen = ctx.shared.get("registry.citizens", {}).get("citizen1")
    if citizen:
        rows.append(VehicleRow(plate="123가4567", vin="KMHD341CBNU000001", model_name="아반떼",
                               model_year=2022, owner_id=citizen, registered_on=date(2022, 3, 2)))  # fmt: skip
    for _, person_ids, _, _, _ in households:
        for pid in person_ids[:2]:
            if rng.random() < 0.55:
                n = len(rows)
                model, kind = rng.choice(MODELS)
                year = rng.randint(2008, today.year)
                rows.append(
                    VehicleRow(
                        plate=plate_of(n), vin=f"KMH{n:014d}", model_name=model, model_year=year,
                        kind=kind, owner_id=pid,
                        registered_on=min(today, date(year, 1, 1) + timedelta(days=rng.randint(0, 364))),
                    )
                )  # fmt: skip
    for at in tqdm(range(0, len(rows), BATCH), desc="자동차", disable=ctx.quiet or ctx.out is None):
        chunk = rows[at : at + BATCH]
        ctx.run(
            f"vehicles:import:{at}",
            builder(
                ImportVehicles, actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction="0000000000", rows=chunk
            ),
        )  # fmt: skip
        result = ctx.result(f"vehicles:import:{at}")
        owned = ctx.shared.setdefault("vehicles.owned", [])
        owned.extend(zip(result["vehicle_ids"], [r.owner_id for r in chunk], strict=True))
    ctx.say(f"vehicles: {len(rows)}")
