"""전자고지 throughput: notices enqueued per second by one campaign command (every open
자동차세 bill of 원주시 for a period), and notices delivered per second by the worker
through the outbox to the file e-mail backend and the demo SMS sink.

The floor for enqueueing is a raw multi-row INSERT of as many rows of the same width in one
transaction, measured in the same process; the line to beat for delivery is GOV.UK
Notify's 3,000 messages a minute (50/s) on one node.

    .venv/bin/python bench/notices.py --bills 10000 --accounts 2000             # SQLite
    .venv/bin/python bench/notices.py --bills 10000 --accounts 2000 --postgres  # PostgreSQL
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from datetime import date, datetime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bills", type=int, default=10000)
    parser.add_argument("--persons", type=int, default=2500)
    parser.add_argument("--accounts", type=int, default=2000, help="residents with e-mail + phone")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the campaign command")
    args = parser.parse_args()
    var = os.environ.setdefault("MINWON_VAR_DIR", tempfile.mkdtemp(prefix="minwon-bench-"))
    os.environ["MINWON_EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    os.environ["MINWON_EMAIL_FILE_PATH"] = f"{var}/mail"
    server = None
    if args.postgres:
        from minwon.testing.pgserver import PostgresServer

        server = PostgresServer(fast=False).start()
        os.environ["MINWON_DATABASE_URL"] = server.url
    else:
        os.environ["MINWON_DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "minwon.config.settings"
    try:
        run(args, "postgresql" if server else "sqlite")
    finally:
        if server is not None:
            server.destroy()


def run(args: argparse.Namespace, label: str) -> None:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction

    from minwon.accounts.commands import SignUpCitizen
    from minwon.kernel import clock, execute, outbox, rrn
    from minwon.kernel.management.commands.load_jurisdictions import load
    from minwon.kernel.types import NATION, Actor, Channel
    from minwon.notices.campaigns import IssueTaxCampaign
    from minwon.notices.models import NoticeDelivery
    from minwon.registry.importer import HouseholdRow, ImportResidents, ResidentRow
    from minwon.registry.models import Person
    from minwon.tax.commands import ImportTaxBills, TaxBillRow

    call_command("migrate", verbosity=0)
    load()
    system = Actor.system("bench")
    wonju, dangu = "5113000000", "5113055000"
    numbers = [rrn.with_check_digit(f"8{n // 100000 % 10}0101{1 + n % 2}{n % 100000:05d}"[:12])
               for n in range(args.persons)]  # fmt: skip
    for at in range(0, args.persons, 5000):
        households = [HouseholdRow(road_address=f"강원특별자치도 원주시 단구로 {n + 1}",
                                   address_code=dangu, moved_in_on=date(2020, 1, 1),
                                   members=[ResidentRow(f"주민{n}", rrn.SealedRRN.from_text(numbers[n]), "head")])
                      for n in range(at, min(at + 5000, args.persons))]  # fmt: skip
        execute(ImportResidents(actor=system, channel=Channel.SYSTEM, jurisdiction=wonju,
                                households=households))  # fmt: skip
    pids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    hashed = make_password("bench-password-2026")
    for n in range(min(args.accounts, args.persons)):
        execute(SignUpCitizen(actor=Actor.anonymous(), channel=Channel.ONLINE, jurisdiction=NATION,
                              username=f"bench{n}", display_name=f"주민{n}", password_hash=hashed,
                              sealed_rrn=rrn.SealedRRN.from_text(numbers[n]), identity_method="demo",
                              email=f"bench{n}@example.kr", phone=f"010-9{n // 1000:03d}-{n % 10000:04d}"))  # fmt: skip
    rows = [TaxBillRow(taxpayer_id=pids[n % len(pids)], item="vehicle", period="2026 1기",
                       amount=100_000 + n, due_on=date(2026, 6, 30), issued_on=date(2026, 6, 1))
            for n in range(args.bills)]  # fmt: skip
    for at in range(0, len(rows), 10000):
        execute(ImportTaxBills(actor=system, channel=Channel.SYSTEM, jurisdiction=wonju,
                               rows=rows[at : at + 10000]))  # fmt: skip

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw (id "
                       + ("BIGSERIAL" if connection.vendor == "postgresql" else "INTEGER")
                       + " PRIMARY KEY, k TEXT, idx TEXT, name TEXT, address TEXT, subject TEXT, body TEXT)")  # fmt: skip
    raw = [(f"tax_bill:{n}", "x" * 64, "주민", "강원특별자치도 원주시 단구로 1", "[원주시] 자동차세 고지서",
            "본문 " * 40) for n in range(args.bills)]  # fmt: skip
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for at in range(0, len(raw), 1000):
            chunk = raw[at : at + 1000]
            cursor.execute(
                "INSERT INTO bench_raw (k, idx, name, address, subject, body) VALUES "
                + ",".join(["(%s,%s,%s,%s,%s,%s)"] * len(chunk)),
                [v for row in chunk for v in row],
            )
    floor = args.bills / (time.perf_counter() - started)

    day = datetime(2026, 6, 2, 10, 0, tzinfo=clock.SEOUL)  # daytime: no SMS held
    with clock.frozen_at(day):
        profile = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profile is not None:
            profile.enable()
        result = execute(IssueTaxCampaign(actor=system, channel=Channel.SYSTEM, jurisdiction=wonju,
                                          period="2026 1기"))  # fmt: skip
        issue_s = time.perf_counter() - started
        if profile is not None:
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        started = time.perf_counter()
        again = execute(IssueTaxCampaign(actor=system, channel=Channel.SYSTEM, jurisdiction=wonju,
                                         period="2026 1기"))  # fmt: skip
        repeat_s = time.perf_counter() - started
        profile = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profile is not None:
            profile.enable()
        delivered = outbox.run(once=True)
        deliver_s = time.perf_counter() - started
        if profile is not None:
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    created = result.value["created"]
    sent = NoticeDelivery.objects.filter(channel__in=["email", "sms"], state="delivered").count()
    print(
        f"database: {label}; bills {args.bills}, persons {args.persons}, accounts {args.accounts}"
    )
    print(f"raw INSERT floor: {floor:,.0f} rows/s")
    print(f"campaign: {created} notices in {issue_s:.2f} s = {created / issue_s:,.0f} notices/s "
          f"({created / issue_s / floor:.2f} of the floor)")  # fmt: skip
    print(f"repeat: {again.value['created']} new notices, {repeat_s:.2f} s")
    print(f"worker: {delivered} outbox deliveries ({sent} e-mail/SMS delivered) in {deliver_s:.2f} s"
          f" = {delivered / deliver_s:,.0f}/s ({delivered / deliver_s / 50:.1f}× Notify's 50/s)")  # fmt: skip


if __name__ == "__main__":
    main()
