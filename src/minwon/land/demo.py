"""Demo parcels: roughly one for every three households, with 법정동 codes of the demo
cities, owner history and 개별공시지가 for the last three years."""

from __future__ import annotations

from datetime import timedelta

from tqdm import tqdm

from minwon.kernel import clock
from minwon.kernel.demo import DemoContext
from minwon.kernel.types import Actor, Channel
from minwon.registry.demo import builder

from .commands import ImportParcels, ParcelRow

SYSTEM = Actor.system("demo")
BATCH = 2000
# 법정동 (code, name) in the demo cities (행정표준코드 법정동코드).
LEGAL_DONGS = {
    "wonju": [("5113010100", "중앙동"), ("5113010700", "단구동"), ("5113011500", "무실동"),
              ("5113011300", "봉산동"), ("5113025021", "문막읍 동화리"), ("5113037021", "흥업면 흥업리")],
    "jeonju": [("5211111000", "효자동1가"), ("5211112700", "서신동"), ("5211113300", "삼천동1가"),
               ("5211313300", "송천동1가"), ("5211312900", "인후동1가"), ("5211314000", "팔복동1가")],
    "gongju": [("4415010300", "신관동"), ("4415011100", "웅진동"), ("4415010100", "반죽동"),
               ("4415025021", "유구읍 석남리"), ("4415036021", "의당면 수촌리")],
}  # fmt: skip
CATEGORIES = [("대", 0.45, 1_200_000), ("전", 0.2, 90_000), ("답", 0.15, 70_000),
              ("임야", 0.12, 15_000), ("잡종지", 0.08, 300_000)]  # fmt: skip


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng("land")
    today = clock.now().date()
    households = ctx.shared.get("registry.households", [])
    rows: list[ParcelRow] = []
    used: set[tuple[str, int, int]] = set()
    citizen = ctx.shared.get("registry.citizens", {}).get("citizen1")
    owners = [(citizen, "wonju")] if citizen else []
    owners += [(ids[0], city) for _, ids, city, _, _ in households if rng.random() < 0.33]
    for owner, city in owners:
        code, name = rng.choice(LEGAL_DONGS[city])
        while True:
            lot = (code, rng.randint(1, 3000), rng.choice([0, 0, 0, rng.randint(1, 30)]))
            if lot not in used:
                used.add(lot)
                break
        cat, _, base = rng.choices(CATEGORIES, [w for _, w, _ in CATEGORIES])[0]
        price = int(base * rng.uniform(0.5, 2.0))
        rows.append(
            ParcelRow(
                legal_dong_code=code, legal_dong_name=name, main_no=lot[1], sub_no=lot[2],
                category=cat, area_m2=f"{rng.uniform(60, 3000):.2f}", owner_id=owner,
                acquired_on=today - timedelta(days=rng.randint(100, 9000)),
                cause=rng.choice(["매매", "매매", "상속", "증여"]),
                prices=[(today.year - k, int(price * (1 - 0.04 * k))) for k in range(3)],
            )
        )  # fmt: skip
    for at in tqdm(range(0, len(rows), BATCH), desc="토지", disable=ctx.quiet or ctx.out is None):
        chunk = rows[at : at + BATCH]
        ctx.run(
            f"land:import:{at}",
            builder(
                ImportParcels, actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction="0000000000", rows=chunk
            ),
        )  # fmt: skip
        result = ctx.result(f"land:import:{at}")
        ctx.shared.setdefault("land.owned", []).extend(
            zip(result["parcel_ids"], [r.owner_id for r in chunk], strict=True)
        )
    ctx.say(f"land: {len(rows)} parcels")
