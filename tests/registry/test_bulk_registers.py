"""The linked registers' imports (``ImportVehicles``, ``ImportParcels``, ``ImportTaxBills``)
write their rows as sets (``registry.bulk.insert_rows``): every row holds what the command
said, with the defaults a model instance would have had, the ids in the result name the
rows, the search documents written for the new vehicles and parcels equal a rebuild, a
replay adds nothing, and the audit chain verifies. Both databases (``--postgres``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from minwon.kernel import audit, clock, execute
from minwon.kernel.types import Actor, Channel
from minwon.land.commands import ImportParcels, ParcelRow
from minwon.land.models import LandPrice, Parcel, ParcelOwnership
from minwon.portal import index
from minwon.portal.models import SearchDocument
from minwon.registry.models import Residence
from minwon.tax.commands import ImportTaxBills, TaxBillRow
from minwon.tax.models import TaxBill
from minwon.vehicles.commands import ImportVehicles, VehicleRow
from minwon.vehicles.models import Vehicle, VehicleOwnership
from tests.registry.test_bulk import batches, run

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
WONJU = "5113000000"


def _owners() -> list[int]:
    from minwon.registry.bulk import LoadResidents

    groups, _ = batches(60, per=60)
    result = run(LoadResidents, groups[0])
    return [h["person_ids"][0] for h in result["households"]]


def _documents(kind: str) -> set[tuple[Any, ...]]:
    return set(
        SearchDocument.objects.filter(kind=kind).values_list(
            "entity_id", "jurisdiction_path", "permission", "title", "details", "key1", "key2",
            "key3", "tokens",
        )
    )  # fmt: skip


def _run(command: Any) -> dict[str, Any]:
    result = execute(command)
    assert execute(command).replayed
    value: dict[str, Any] = result.value
    return value


def test_vehicles_parcels_and_bills_are_written_as_the_commands_say(
    jurisdictions_loaded: None,
) -> None:
    owners = _owners()
    with clock.frozen_at(datetime(2026, 6, 2, 10, 0, tzinfo=clock.SEOUL)):
        vehicle_rows = [
            VehicleRow(plate=f"12가{1000 + n}", vin=f"KMH{n:014d}", model_name="아반떼",
                       model_year=2020, owner_id=owner, registered_on=date(2021, 3, n + 1),
                       kind="승용" if n % 2 else "화물")
            for n, owner in enumerate(owners[:12])
        ]  # fmt: skip
        vehicle_ids = _run(
            ImportVehicles(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction="0000000000",
                           rows=vehicle_rows)
        )["vehicle_ids"]  # fmt: skip
        parcel_rows = [
            ParcelRow(legal_dong_code="5113010700", legal_dong_name="단구동", main_no=100 + n,
                      sub_no=n % 3, category="대", area_m2="123.456", owner_id=owner,
                      acquired_on=date(2019, 5, n + 1), cause="매매",
                      prices=[(2026, 1_000_000 + n), (2025, 950_000)])
            for n, owner in enumerate(owners[:8])
        ]  # fmt: skip
        parcel_ids = _run(
            ImportParcels(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction="0000000000",
                          rows=parcel_rows)
        )["parcel_ids"]  # fmt: skip
        bill_rows = [
            TaxBillRow(taxpayer_id=owner, item="vehicle", period="2026 1기", amount=120_000,
                       due_on=date(2026, 6, 30), issued_on=date(2026, 6, 5),
                       paid_on=date(2026, 6, 10) if n % 2 else None, vehicle_id=vid)
            for n, (owner, vid) in enumerate(zip(owners, vehicle_ids, strict=False))
        ]  # fmt: skip
        bills = _run(
            ImportTaxBills(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU,
                           rows=bill_rows)
        )["bills"]  # fmt: skip

    address = {
        r.person_id: (r.full_address, r.jurisdiction_id)
        for r in Residence.objects.filter(person_id__in=owners, moved_out_on__isnull=True)
    }
    vehicles = {v.pk: v for v in Vehicle.objects.filter(pk__in=vehicle_ids)}
    assert len(vehicles) == len(vehicle_rows)
    for pk, row in zip(vehicle_ids, vehicle_rows, strict=True):
        v = vehicles[pk]
        assert (v.plate, v.vin, v.model_name, v.model_year, v.kind, v.owner_id,
                v.registered_on) == (row.plate, row.vin, row.model_name, row.model_year,
                                     row.kind, row.owner_id, row.registered_on)  # fmt: skip
        assert (v.base_address, v.jurisdiction_id) == address[row.owner_id]
    assert set(
        VehicleOwnership.objects.values_list("vehicle_id", "owner_id", "from_on", "to_on", "cause")
    ) == {(pk, r.owner_id, r.registered_on, None, "신규") for pk, r in zip(vehicle_ids, vehicle_rows, strict=True)}  # fmt: skip

    parcels = {p.pk: p for p in Parcel.objects.filter(pk__in=parcel_ids)}
    for pk, row in zip(parcel_ids, parcel_rows, strict=True):
        p = parcels[pk]
        assert (p.legal_dong_code, p.main_no, p.sub_no, p.mountain, p.category, p.area_m2,
                p.owner_id, p.jurisdiction_id) == (row.legal_dong_code, row.main_no, row.sub_no,
                                                   False, "대", Decimal("123.46"), row.owner_id,
                                                   WONJU)  # fmt: skip
    assert ParcelOwnership.objects.filter(parcel_id__in=parcel_ids, to_on=None).count() == 8
    assert set(LandPrice.objects.values_list("parcel_id", "year", "won_per_m2")) == {
        (pk, year, price) for pk, r in zip(parcel_ids, parcel_rows, strict=True)
        for year, price in r.prices
    }  # fmt: skip

    assert bills == len(bill_rows) == TaxBill.objects.count()
    stored = {b.vehicle_id: b for b in TaxBill.objects.all()}
    assert len({b.number for b in stored.values()}) == bills
    for row in bill_rows:
        b = stored[row.vehicle_id]
        assert (b.taxpayer_id, b.item, b.period, b.amount, b.due_on, b.paid_on, b.issued_on,
                b.parcel_id, b.jurisdiction_id) == (row.taxpayer_id, row.item, row.period,
                                                    row.amount, row.due_on, row.paid_on,
                                                    row.issued_on, None, WONJU)  # fmt: skip
        assert b.mailing_address == address[row.taxpayer_id][0]

    # the documents written for the new vehicles and parcels are the ones a rebuild makes
    kept = {kind: _documents(kind) for kind in ("vehicle", "parcel")}
    assert {k: len(v) for k, v in kept.items()} == {"vehicle": 12, "parcel": 8}
    index.rebuild()
    assert {kind: _documents(kind) for kind in kept} == kept
    assert list(audit.verify()) == []
