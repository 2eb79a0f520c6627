"""``minwon demo``: migrate, then seed deterministic demo data through commands.

Idempotent: every demo command has a fixed id, so a second run changes nothing.
``--residents N`` scales the population (the registry's bulk path).
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from minwon.kernel.demo import DemoContext, seed_all


class Command(BaseCommand):
    help = "Migrate and seed the demo data (idempotent); print URLs and log-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--residents", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=20261121)
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument("--port", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        ctx = DemoContext(residents=options["residents"], seed=options["seed"], out=self.stdout)
        seed_all(ctx)
        self.print_summary(ctx, options["port"])

    def print_summary(self, ctx: DemoContext, port: int | None) -> None:
        import os

        port = port or int(os.environ.get("PORT", "8000"))
        base = f"http://127.0.0.1:{port}"
        self.stdout.write("")
        self.stdout.write("minwon demo is ready")
        self.stdout.write(f"  citizen pages   {base}/")
        self.stdout.write(f"  staff portal    {base}/staff/")
        self.stdout.write(f"  API docs        {base}/api/docs")
        self.stdout.write(f"  kiosk           {base}/kiosk/  (본인확인 as a demo citizen below;")
        self.stdout.write(f"                  the one-time code arrives in {base}/demo/mail/)")
        handovers = ctx.shared.get("kiosk_handovers", [])
        if handovers:
            self.stdout.write("")
            self.stdout.write(
                "Demo kiosks: open one of these once in the browser that plays the kiosk"
            )
            self.stdout.write(
                "(one-time hand-over codes, new at every run; the kiosk then opens /kiosk/):"
            )
            for city, code in handovers:
                self.stdout.write(f"  {city}  {base}/kiosk/enrol/?code={code}")
        self.stdout.write("")
        self.stdout.write("Demo log-ins (demo data only):")
        width = max((len(who) for who, _, _ in ctx.logins), default=10)
        for who, username, password in ctx.logins:
            self.stdout.write(f"  {who.ljust(width)}  {username:<22} {password}")
