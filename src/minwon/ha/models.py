"""What the HA app stores: the write probes that load and failover tests count."""

from __future__ import annotations

from django.db import models


class ProbeWrite(models.Model):
    """One acknowledged write probe (쓰기 점검): a tiny command an operator (or the chaos
    tests' load clients) sends to confirm the cluster takes writes. ``command_id`` is
    deliberately *not* unique here: the kernel's deduplication alone must keep it to one
    row, so a failover that ran a command twice would show up as two rows."""

    command_id = models.UUIDField(db_index=True)
    client = models.CharField("점검 클라이언트 (client)", max_length=64)
    seq = models.PositiveIntegerField("순번 (sequence)")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = "쓰기 점검 (write probe)"
        verbose_name_plural = "쓰기 점검 (write probes)"
        indexes = [models.Index(fields=["client", "seq"])]

    def __str__(self) -> str:
        return f"{self.client}#{self.seq}"
