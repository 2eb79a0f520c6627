"""Continuity tables.

On **central**: the reconciliation queue (소급 적용 대기열) holding every edge command
central refused, and the receipt-number blocks reserved to edge nodes.
On an **edge**: ``EdgeState``, the node's own bookkeeping (mode, how far the journal has
been pushed, the feed cursor, the local→central id map). The journal itself is the edge's
``kernel.CommandRecord`` table: ``execute()`` writes it in the command's own transaction,
and the edge opens SQLite with ``synchronous=FULL``, so a command is on disk (fsync) before
the counter is told it succeeded.
"""

from __future__ import annotations

from django.db import models


class ReconciliationItem(models.Model):
    """소급 적용 대기: a command an edge executed while cut off that central refused on
    replay (the same person moved in at two offices, a permit revoked meanwhile …). It
    keeps both sides — what the edge told the citizen and why central said no — until a
    person resolves it. Nothing an edge journaled is ever silently dropped."""

    class State(models.TextChoices):
        OPEN = "open", "처리 대기"
        APPLIED = "applied", "재실행 반영"
        RESOLVED = "resolved", "종결"

    command_id = models.UUIDField("명령 ID", unique=True)
    edge_id = models.CharField("거점 ID", max_length=60, db_index=True)
    office = models.CharField("기관 코드", max_length=10, db_index=True)
    name = models.CharField("명령 종류", max_length=80)
    payload = models.JSONField("명령 내용")
    occurred_at = models.DateTimeField("원래 처리 시각")
    edge_result = models.JSONField("거점 처리 결과(원 접수증)", null=True)
    error_code = models.CharField("거부 코드", max_length=40)
    error_message = models.CharField("거부 사유", max_length=500)
    error_message_en = models.CharField("거부 사유(영문)", max_length=500, blank=True)
    error_field = models.CharField("관련 항목", max_length=120, blank=True, default="")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    queued_at = models.DateTimeField("대기 등록 시각")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=120, blank=True, default="")
    resolution = models.TextField("처리 내용", blank=True, default="")

    class Meta:
        verbose_name = "소급 적용 대기"
        verbose_name_plural = "소급 적용 대기"
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["state", "office"])]


class ReceiptBlock(models.Model):
    """접수번호 예약 구간: the first two characters of the random part of receipt numbers
    that one edge node uses while cut off; central never hands the same block to two edges
    of one office, so offline numbers never collide with each other."""

    office = models.CharField("기관 코드", max_length=10)
    edge_id = models.CharField("거점 ID", max_length=60, unique=True)
    prefix = models.CharField("예약 접두", max_length=2)
    reserved_at = models.DateTimeField()

    class Meta:
        verbose_name = "접수번호 예약 구간"
        verbose_name_plural = "접수번호 예약 구간"
        constraints = [
            models.UniqueConstraint(fields=["office", "prefix"], name="receipt_block_once"),
        ]


class EdgeState(models.Model):
    """The edge node's own bookkeeping (one row). Operational progress like the outbox's
    delivery rows, written by the edge agent, not domain state."""

    edge_id = models.CharField(max_length=60, primary_key=True)
    office = models.CharField(max_length=10)
    mode = models.CharField(max_length=12, default="normal")
    mode_since = models.DateTimeField()
    forced = models.BooleanField("운영자 전환", default=False)
    pushed_rowid = models.BigIntegerField("전송 완료 위치", default=0)
    feed_cursor = models.BigIntegerField("변경 피드 위치", default=0)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    receipt_prefix = models.CharField(max_length=2, blank=True, default="")
    receipt_counter = models.BigIntegerField(default=0)
    id_map = models.JSONField("거점 ID → 중앙 ID", default=dict)
    queued = models.IntegerField("대기열로 간 명령 수", default=0)

    class Meta:
        verbose_name = "거점 상태"
        verbose_name_plural = "거점 상태"
