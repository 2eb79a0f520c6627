"""Deployment checks of the kernel's own guarantees (``minwon check --deploy``).

An audit anchor kept beside the database it anchors burns with it, and one never written
anchors nothing: both are legal for a demo and wrong for a 시·군·구's production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def audit_anchors(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    anchors = Path(settings.MINWON_AUDIT_ANCHOR_DIR).resolve()
    var = Path(settings.VAR_DIR).resolve()
    if anchors == var or var in anchors.parents:
        found.append(
            Warning(
                f"Audit checkpoints are written under {var}, beside the database they anchor.",
                hint="Set MINWON_AUDIT_ANCHOR_DIR to a directory shipped to WORM storage or "
                "another site (docs/OPERATIONS.md, 'Audit anchors').",
                id="minwon.W101",
            )
        )
    if float(settings.MINWON_AUDIT_CHECKPOINT_SECONDS) <= 0:
        found.append(
            Warning(
                "The worker writes no audit checkpoints (MINWON_AUDIT_CHECKPOINT_SECONDS=0).",
                hint="Leave it at 300 or run `minwon audit checkpoint` from a timer.",
                id="minwon.W102",
            )
        )
    return found
