"""The search read model follows the registers: each subscriber runs inside the command's
transaction and rebuilds the documents of the records the event names, so a search right
after a move-in, a new petition, a transfer or a new campaign already sees it (and a failed command leaves
no document behind)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from minwon.documents import ledger
from minwon.documents.commands import CertificateIssued
from minwon.kernel import batch
from minwon.kernel.bus import Context
from minwon.kernel.registry import register_event, subscriber
from minwon.kernel.types import Event
from minwon.land.events import ParcelRegistered, ParcelsImported, ParcelTransferred
from minwon.licensing.events import PermitGranted, PermitsImported, SanctionImposed
from minwon.petitions import written
from minwon.petitions.commands.common import PetitionStepRecorded
from minwon.petitions.commands.intake import ApplicationReceived
from minwon.petitions.models import Petition, PetitionStep
from minwon.registry.events import (
    HouseholdHeadChanged,
    HouseholdsMerged,
    HouseholdSplit,
    MoveInReported,
    PersonRegistered,
    PersonStatusChanged,
    ResidentsImported,
)
from minwon.vehicles.events import VehicleRegistered, VehiclesImported, VehicleTransferred

from . import index
from .models import Kind


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class CampaignCreated(Event):
    """자동취합: a campaign was sent (its form, period and recipients are set)."""

    campaign_id: int
    recipients: int


@subscriber(CampaignCreated)
def campaign_created(event: CampaignCreated, *, ctx: Context) -> None:
    """Found by its sender's office and by each recipient, as the campaign pages show it."""
    index.refresh(Kind.CAMPAIGN, [event.campaign_id])


@subscriber(PersonRegistered)
def person_registered(event: PersonRegistered, *, ctx: Context) -> None:
    index.refresh(Kind.PERSON, [event.person_id])
    index.refresh(Kind.HOUSEHOLD, [event.household_id])


@subscriber(MoveInReported)
def moved_in(event: MoveInReported, *, ctx: Context) -> None:
    """New address and office for the movers, their (maybe new) household, and the
    vehicles whose 사용본거지 the vehicle register's own subscriber has just moved."""
    from minwon.vehicles.models import Vehicle

    index.refresh(Kind.PERSON, event.person_ids)
    index.refresh(Kind.HOUSEHOLD, [event.household_id])
    owned = Vehicle.objects.filter(owner_id__in=event.person_ids).values_list("pk", flat=True)
    index.refresh(Kind.VEHICLE, list(owned))


@subscriber(HouseholdHeadChanged)
def head_changed(event: HouseholdHeadChanged, *, ctx: Context) -> None:
    index.refresh(Kind.HOUSEHOLD, [event.household_id])


@subscriber(HouseholdsMerged)
def households_merged(event: HouseholdsMerged, *, ctx: Context) -> None:
    """The joined household's members and the absorbed one's end."""
    index.refresh(Kind.PERSON, event.person_ids)
    index.refresh(Kind.HOUSEHOLD, [event.household_id, event.absorbed_household_id])


@subscriber(HouseholdSplit)
def household_split(event: HouseholdSplit, *, ctx: Context) -> None:
    index.refresh(Kind.PERSON, event.person_ids)
    index.refresh(Kind.HOUSEHOLD, [event.household_id, event.new_household_id])


@subscriber(PersonStatusChanged)
def status_changed(event: PersonStatusChanged, *, ctx: Context) -> None:
    index.refresh(Kind.PERSON, [event.person_id])


@subscriber(ResidentsImported)
def residents_imported(event: ResidentsImported, *, ctx: Context) -> None:
    """The bulk path's event carries counts only; its residence rows carry the command."""
    from minwon.registry.models import Residence

    rows = list(
        Residence.objects.filter(command_id=ctx.command.command_id).values_list(
            "person_id", "household_id"
        )
    )
    index.refresh(Kind.PERSON, [p for p, _ in rows])
    index.refresh(Kind.HOUSEHOLD, sorted({h for _, h in rows if h is not None}))


@subscriber(PetitionStepRecorded)
def petition_step(event: PetitionStepRecorded, *, ctx: Context) -> None:
    """The petition's document, read — now, or once for a whole replayed batch
    (``kernel.batch``). The steps of an application this command created (``petitions.
    written``) are left to ``application_received``, which the same command emits after
    them."""
    if written.application(ctx, event.number.rpartition("-")[0]) is not None:
        return
    batch.refresh("portal.petitions", [event.number], petitions_by_number)


@subscriber(ApplicationReceived)
def application_received(event: ApplicationReceived, *, ctx: Context) -> None:
    """The documents of a new application's petitions, once they and their first steps
    are in (the event comes last in the submission): built from the rows the handler wrote
    (``petitions.written``: nothing read back), all in one upsert; in a replayed batch,
    read once for all its applications at the batch's end."""
    numbers = [f"{event.receipt_number}-{seq}" for seq in range(1, event.petitions + 1)]
    if batch.active():
        batch.refresh("portal.petitions", numbers, petitions_by_number)
        return
    held = written.application(ctx, event.receipt_number)
    in_hand = {p.number: (p, held.steps_of(p)) for p in held.petitions} if held else None
    petitions_by_number(numbers, in_hand)


#: A petition with its steps, as a command has just written them.
Held = tuple[Petition, list[PetitionStep]]


def petitions_by_number(numbers: list[str], in_hand: Mapping[str, Held] | None = None) -> None:
    """Rewrite the documents of these petitions (``<receipt number>-<item>``): the ones in
    ``in_hand`` from those rows, the others read. Petitions are never removed, so a number
    without a petition (its command was refused) has none."""
    held = in_hand or {}
    docs = index.petition_documents(
        (p, [(s.note, s.public_note) for s in steps])
        for p, steps in (held[n] for n in numbers if n in held)
    )
    rest = [n for n in numbers if n not in held]
    if len(rest) == 1:
        receipt, _, seq = rest[0].rpartition("-")
        found = Petition.objects.filter(application__receipt_number=receipt, seq=int(seq))
        # The petition is read in the documents' own statement.
        docs += index.petitions(found.values("pk"))
    elif rest:
        wanted = set(rest)
        rows = Petition.objects.filter(
            application__receipt_number__in={n.rpartition("-")[0] for n in rest}
        ).values_list("pk", "application__receipt_number", "seq")
        docs += index.petitions([pk for pk, r, s in rows if f"{r}-{s}" in wanted])
    if docs:
        index.store(docs)


@subscriber(CertificateIssued)
def certificate_issued(event: CertificateIssued, *, ctx: Context) -> None:
    """The issued document's search document, from the ledger row the command appended
    (nothing read back), or read when the row is not in hand."""
    held = ledger.written(ctx, event.document_number)
    if held is None:
        index.refresh(Kind.DOCUMENT, [event.document_number])
    else:
        index.store(index.issuance_documents([held]))


@subscriber(VehicleRegistered)
def vehicle_registered(event: VehicleRegistered, *, ctx: Context) -> None:
    index.refresh(Kind.VEHICLE, [event.vehicle_id])


@subscriber(VehicleTransferred)
def vehicle_transferred(event: VehicleTransferred, *, ctx: Context) -> None:
    index.refresh(Kind.VEHICLE, [event.vehicle_id])


@subscriber(VehiclesImported)
def vehicles_imported(event: VehiclesImported, *, ctx: Context) -> None:
    """New vehicles have no document yet: written as a set, not upserted one by one."""
    from minwon.registry.bulk import write_documents

    write_documents(index.vehicles(event.vehicle_ids))


@subscriber(ParcelRegistered)
def parcel_registered(event: ParcelRegistered, *, ctx: Context) -> None:
    index.refresh(Kind.PARCEL, [event.parcel_id])


@subscriber(ParcelTransferred)
def parcel_transferred(event: ParcelTransferred, *, ctx: Context) -> None:
    index.refresh(Kind.PARCEL, [event.parcel_id])


@subscriber(ParcelsImported)
def parcels_imported(event: ParcelsImported, *, ctx: Context) -> None:
    """New parcels have no document yet: written as a set, not upserted one by one."""
    from minwon.registry.bulk import write_documents

    write_documents(index.parcels(event.parcel_ids))


@subscriber(PermitGranted)
def permit_granted(event: PermitGranted, *, ctx: Context) -> None:
    index.refresh(Kind.PERMIT, [event.permit_id])


@subscriber(SanctionImposed)
def sanction_imposed(event: SanctionImposed, *, ctx: Context) -> None:
    index.refresh(Kind.PERMIT, [event.permit_id])


@subscriber(PermitsImported)
def permits_imported(event: PermitsImported, *, ctx: Context) -> None:
    index.refresh(Kind.PERMIT, event.permit_ids)
