"""The ``minwon`` command: Django's management commands with minwon's settings preset.

``minwon demo``, ``minwon serve``, ``minwon worker``, ``minwon audit verify``,
``minwon migrate`` … — ``minwon help`` lists them all.
"""

from __future__ import annotations

import os
import sys

#: The process role each subcommand reports in its heartbeat (the situation room counts
#: ``web`` processes as app servers; a finished ``minwon demo`` is not a silent server).
#: ``serve`` sets none itself: its granian workers are ``web`` by default, and the worker
#: and tick it starts run through here and name themselves.
ROLES = {"serve": "", "runserver": "web", "ops_tick": "tick"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minwon.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["minwon", *argv])
    args[0] = "minwon"
    command = args[1] if len(args) > 1 else "help"
    role = ROLES.get(command, command)
    if role:
        os.environ.setdefault("MINWON_PROCESS_ROLE", role[:20])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
