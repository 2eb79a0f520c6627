"""``minwon cluster up|status|switchover|failover|down`` — the local HA cluster.

Also the faults the chaos tests use, for trying them by hand: ``kill NODE [--postmaster]``,
``start NODE``, ``partition NODE``, ``heal NODE``; ``url`` prints the application's
database URL; ``probe-account`` creates the operator account the write probes use.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minwon.ha.cluster import Cluster, ClusterError, ClusterSpec, default_dir, open_cluster

ACTIONS = [
    "up", "status", "switchover", "failover", "down", "url",
    "kill", "start", "partition", "heal", "probe-account",
]  # fmt: skip


class Command(BaseCommand):
    help = "Run a local PostgreSQL HA cluster (etcd + Patroni, 3 nodes, synchronous)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("node", nargs="?", help="node name for kill/start/partition/heal")
        parser.add_argument("--dir", type=Path, default=None, help="cluster directory")
        parser.add_argument(
            "--base-port", type=int, default=int(os.environ.get("MINWON_CLUSTER_PORT", "15400"))
        )
        parser.add_argument("--nodes", type=int, default=3)
        parser.add_argument("--ttl", type=int, default=20)
        parser.add_argument("--loop-wait", type=int, default=1)
        parser.add_argument("--retry-timeout", type=int, default=5)
        parser.add_argument("--candidate", default=None, help="switchover/failover target")
        parser.add_argument("--postmaster", action="store_true", help="kill only PostgreSQL")
        parser.add_argument("--destroy", action="store_true", help="down: also delete data")
        parser.add_argument("--username", default="ha-probe")
        parser.add_argument("--password", default=os.environ.get("MINWON_PROBE_PASSWORD", ""))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._handle(options)
        except ClusterError as exc:
            raise CommandError(str(exc)) from exc

    def _handle(self, options: dict[str, Any]) -> None:
        action = options["action"]
        if action == "up":
            spec = ClusterSpec(
                base=(options["dir"] or default_dir()).resolve(),
                base_port=options["base_port"],
                nodes=options["nodes"],
                ttl=options["ttl"],
                loop_wait=options["loop_wait"],
                retry_timeout=options["retry_timeout"],
            )
            cluster = Cluster(spec)
            cluster.up()
            self.stdout.write("\n".join(cluster.status_lines()))
            self.stdout.write(f"\nexport MINWON_DATABASE_URL='{spec.url()}'")
            return
        if action == "probe-account":
            self._probe_account(options["username"], options["password"])
            return
        cluster = open_cluster(options["dir"])
        node = options["node"]
        if action in ("kill", "start", "partition", "heal") and not node:
            raise CommandError(f"cluster {action}: name the node (e.g. node1)")
        if action == "status":
            self.stdout.write("\n".join(cluster.status_lines()))
        elif action == "url":
            self.stdout.write(cluster.spec.url())
        elif action == "switchover":
            self.stdout.write(cluster.switchover(options["candidate"]))
        elif action == "failover":
            candidate = options["candidate"] or cluster.sync_standby()
            if not candidate:
                raise CommandError("no synchronous standby to fail over to; give --candidate")
            self.stdout.write(cluster.failover(candidate))
        elif action == "down":
            cluster.down(destroy=options["destroy"])
            self.stdout.write("cluster stopped" + (" and deleted" if options["destroy"] else ""))
        elif action == "kill":
            if options["postmaster"]:
                cluster.kill_postmaster(node)
            else:
                cluster.kill_node(node)
        elif action == "start":
            cluster.start_node(node)
        elif action == "partition":
            cluster.partition(node)
        elif action == "heal":
            cluster.heal(node)

    def _probe_account(self, username: str, password: str) -> None:
        """An operator account (over the nation) for write probes, made through commands
        with ids derived from the username, so running it twice changes nothing."""
        from django.contrib.auth.hashers import make_password

        from minwon.accounts.commands import CreateStaffAccount, GrantRole
        from minwon.accounts.models import User
        from minwon.kernel import execute
        from minwon.kernel.models import Jurisdiction
        from minwon.kernel.types import NATION, Actor, Channel

        if len(password) < 10:
            raise CommandError("--password (or MINWON_PROBE_PASSWORD) must be 10+ characters")
        if not Jurisdiction.objects.filter(pk=NATION).exists():
            from minwon.kernel.management.commands.load_jurisdictions import load

            load()
        system = Actor.system("cluster")
        user = User.objects.filter(username=username).first()
        if user is None:
            result = execute(
                CreateStaffAccount(
                    actor=system, channel=Channel.SYSTEM, jurisdiction=NATION,
                    command_id=uuid.uuid5(uuid.NAMESPACE_URL, f"minwon:probe-account:{username}"),
                    username=username, display_name="쓰기 점검 (write probe)",
                    password_hash=make_password(password),
                )
            )  # fmt: skip
            user_id = result.value["user_id"]
        else:
            user_id = user.pk
        execute(
            GrantRole(
                actor=system, channel=Channel.SYSTEM, jurisdiction=NATION,
                command_id=uuid.uuid5(uuid.NAMESPACE_URL, f"minwon:probe-role:{username}"),
                user_id=user_id, role="operator",
            )
        )  # fmt: skip
        self.stdout.write(f"probe account {username} ready")
