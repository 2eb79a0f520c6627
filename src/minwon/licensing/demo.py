"""Demo permits: about 3 for every 100 residents (restaurants, cafés, salons …), a few
with sanctions, and 김민원's online shop run from her home (so a move-in she reports brings
the notice to report the 소재지 change)."""

from __future__ import annotations

from datetime import timedelta

from minwon.kernel import clock
from minwon.kernel.demo import DEMO_CITIES, DemoContext
from minwon.kernel.types import Actor, Channel
from minwon.registry.demo import builder

from .commands import ImportPermits, ImposeSanction, PermitRow

SYSTEM = Actor.system("demo")
KINDS = [("general_restaurant", ["한식당", "국밥", "막국수", "치킨"]), ("rest_restaurant", ["카페", "커피"]),
         ("bakery", ["베이커리", "제과"]), ("beauty", ["헤어", "네일"]), ("laundry", ["세탁소"]),
         ("online_sales", ["상회", "마켓"])]  # fmt: skip


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng("licensing")
    today = clock.now().date()
    households = ctx.shared.get("registry.households", [])
    by_city: dict[str, list[PermitRow]] = {city: [] for city in DEMO_CITIES}
    citizen = ctx.shared.get("registry.citizens", {}).get("citizen1")
    if citizen:
        by_city["wonju"].append(
            PermitRow(kind="online_sales", holder_id=citizen, business_name="민원상회",
                      road_address="강원특별자치도 원주시 단구로 170 101동 1203호", at_residence=True,
                      granted_on=today - timedelta(days=900))
        )  # fmt: skip
    for _, ids, city, _, address in households:
        for _pid in ids:
            if rng.random() < 0.03:
                kind, words = rng.choice(KINDS)
                home = kind == "online_sales"
                by_city[city].append(
                    PermitRow(
                        kind=kind, holder_id=ids[0], business_name=f"{rng.choice(['행복', '으뜸', '우리', '한빛', '새봄'])}{rng.choice(words)}",
                        road_address=address, at_residence=home,
                        granted_on=today - timedelta(days=rng.randint(30, 5000)),
                    )
                )  # fmt: skip
    for city, rows in by_city.items():
        for at in range(0, len(rows), 2000):
            chunk = rows[at : at + 2000]
            key = f"licensing:import:{city}:{at}"
            ctx.run(
                key,
                builder(
                    ImportPermits, actor=SYSTEM, channel=Channel.SYSTEM,
                    jurisdiction=DEMO_CITIES[city], rows=chunk,
                ),
            )  # fmt: skip
            ids = ctx.result(key)["permit_ids"]
            for permit_id in ids[1::40]:
                ctx.run(
                    f"licensing:sanction:{permit_id}",
                    builder(
                        ImposeSanction, actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=DEMO_CITIES[city],
                        permit_id=permit_id, kind="suspension",
                        starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=45),
                        legal_basis="식품위생법 제75조", reason="영업자 준수사항 위반 (유통기한 경과 제품 보관)",
                    ),
                )  # fmt: skip
    ctx.say(f"licensing: {sum(len(r) for r in by_city.values())} permits")
