"""The ``minwon`` command: Django's management commands with minwon's settings preset.

``minwon demo``, ``minwon serve``, ``minwon worker``, ``minwon audit verify``,
``minwon migrate`` … — ``minwon help`` lists them all.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minwon.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["minwon", *argv])
    args[0] = "minwon"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
