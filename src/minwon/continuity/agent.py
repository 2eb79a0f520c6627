"""The edge agent: health probes, circuit breaker, journal push and feed pull.

One thread beside the edge's web server. Every ``PROBE_SECONDS`` it asks central's
``/api/continuity/ping`` (timeout ``PROBE_TIMEOUT``). The breaker opens — the edge enters
**continuity** mode — on the first failed probe or push, so the counter is in continuity
mode well within two seconds of central going away. It closes after ``HEAL_PROBES``
successful probes in a row: the edge is **reconciling** while it pushes its journal, then
pulls the feed again (resync) and is **normal**. An operator can force continuity mode
(``SwitchContinuityMode``); the probes then keep running but do not leave it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from django.db import close_old_connections, transaction

from minwon.kernel import clock
from minwon.kernel.errors import Conflict

from . import feed, journal
from .models import EdgeState
from .replay import learn_ids, translate

log = logging.getLogger(__name__)

PROBE_SECONDS = 0.25
PROBE_TIMEOUT = 0.75
PUSH_TIMEOUT = 30.0
HEAL_PROBES = 3
FEED_SECONDS = 5.0
BATCH = 500
#: Receipt numbers taken from the saved counter at a time (see ``next_receipt_random``).
RECEIPT_STEP = 64

NORMAL, CONTINUITY, RECONCILING = "normal", "continuity", "reconciling"


class CentralUnavailable(Exception):
    """Central did not answer (connection refused, timeout, 5xx)."""


@dataclasses.dataclass
class EdgeConfig:
    office: str
    edge_id: str
    central: str
    key: str
    version: str = "minwon-edge"


class Central:
    """A tiny JSON client for central's continuity API (the edge's agency key)."""

    def __init__(self, config: EdgeConfig) -> None:
        if not config.central.startswith(("http://", "https://")):
            raise ValueError("central must be an http(s) URL")
        self.config = config

    def call(self, method: str, path: str, body: Any = None, timeout: float = PUSH_TIMEOUT) -> Any:
        data = None if body is None else json.dumps(body).encode()
        # The URL is central's base URL from the edge's own command line, checked below.
        req = urllib.request.Request(  # noqa: S310
            self.config.central.rstrip("/") + path,
            data=data,
            method=method,
            headers={"X-Api-Key": self.config.key, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise CentralUnavailable(f"HTTP {exc.code}") from None
            raise
        except (OSError, ValueError) as exc:
            raise CentralUnavailable(str(exc)) from None


class Agent:
    """The edge's state machine; the web process reads ``mode`` for banners and policy."""

    def __init__(self, config: EdgeConfig) -> None:
        self.config = config
        self.central = Central(config)
        self.mode = NORMAL
        self.mode_since = clock.now()
        self.failed_at: float | None = None
        self.healthy_streak = 0
        self.last_feed = 0.0
        self.last_error = ""
        self.public_status: dict[str, Any] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._receipt_lock = threading.Lock()
        self._receipt_prefix = ""
        self._receipt_next = 0
        self._receipt_limit = 0
        self.thread: threading.Thread | None = None

    # -- state ---------------------------------------------------------------------------
    def state(self) -> EdgeState:
        row, _ = EdgeState.objects.get_or_create(
            edge_id=self.config.edge_id,
            defaults={"office": self.config.office, "mode_since": clock.now()},
        )
        return row

    def set_mode(self, mode: str, reason: str = "") -> None:
        if mode == self.mode:
            return
        log.warning("edge %s: %s -> %s %s", self.config.edge_id, self.mode, mode, reason)
        self.mode = mode
        self.mode_since = clock.now()
        EdgeState.objects.filter(edge_id=self.config.edge_id).update(
            mode=mode, mode_since=self.mode_since
        )

    def trip(self, reason: str) -> None:
        """Open the breaker: continuity mode now."""
        self.failed_at = time.monotonic()
        self.healthy_streak = 0
        self.last_error = reason
        self.set_mode(CONTINUITY, reason)

    # -- one round -----------------------------------------------------------------------
    def tick(self) -> None:
        state = self.state()
        try:
            pong = self.central.call("GET", "/api/continuity/ping", timeout=PROBE_TIMEOUT)
            self.public_status = pong.get("public_status") or {}
        except (CentralUnavailable, urllib.error.HTTPError) as exc:
            self.trip(f"probe: {exc}")
            return
        self.healthy_streak += 1
        if state.forced:
            self.set_mode(CONTINUITY, "operator")
            return
        if self.mode == CONTINUITY and self.healthy_streak < HEAL_PROBES:
            return
        backlog = journal.length(state.pushed_rowid)
        if self.mode == CONTINUITY or (backlog and self.mode != NORMAL):
            self.set_mode(RECONCILING, "central healthy")
        try:
            if backlog:
                self.push()
            if self.mode == RECONCILING:
                self.resync()
                self.set_mode(NORMAL, "journal applied")
            elif time.monotonic() - self.last_feed > FEED_SECONDS:
                self.pull()
            self.report()
        except CentralUnavailable as exc:
            self.trip(f"sync: {exc}")

    def push(self) -> dict[str, int]:
        """Send the journal in order until empty; returns counts per outcome."""
        counts = {"applied": 0, "replayed": 0, "queued": 0}
        while True:
            state = self.state()
            entries = journal.pending(state.pushed_rowid, BATCH)
            if not entries:
                return counts
            ids = {int(k): v for k, v in state.id_map.items()}
            for entry in entries:
                entry["payload"] = translate(entry["payload"], ids)
            answer = self.central.call(
                "POST",
                "/api/continuity/replay",
                {"edge_id": self.config.edge_id, "entries": entries},
            )
            outcomes = {o["command_id"]: o for o in answer["outcomes"]}
            queued = 0
            for entry in entries:
                outcome = outcomes[entry["command_id"]]
                counts[outcome["status"]] += 1
                queued += outcome["status"] == "queued"
                if outcome["status"] != "queued":
                    learn_ids(entry["edge_result"], outcome.get("result"), ids)
            with transaction.atomic():
                EdgeState.objects.filter(edge_id=self.config.edge_id).update(
                    pushed_rowid=entries[-1]["seq"],
                    id_map={str(k): v for k, v in ids.items()},
                    queued=state.queued + queued,
                )

    def pull(self, *, full: bool = False) -> int:
        state = self.state()
        after = 0 if full else state.feed_cursor
        answer = self.central.call(
            "GET", f"/api/continuity/feed?edge_id={self.config.edge_id}&after={after}"
        )
        self.last_feed = time.monotonic()
        if answer["changed"] and journal.length(state.pushed_rowid) == 0:
            # Everything done here reached central: its copies replace the local rows.
            feed.purge_local_rows()
        count = feed.apply(answer["objects"]) if answer["changed"] else 0
        EdgeState.objects.filter(edge_id=self.config.edge_id).update(
            feed_cursor=answer["cursor"],
            last_sync_at=clock.now(),
            receipt_prefix=answer.get("receipt_prefix") or state.receipt_prefix,
        )
        if answer.get("receipt_prefix") and answer["receipt_prefix"] != self._receipt_prefix:
            with self._receipt_lock:
                self._receipt_limit = 0  # reload the block and counter on the next receipt
        return count

    def resync(self) -> None:
        """After reconciliation: drop the local copies of offline rows, reload central's."""
        feed.purge_local_rows()
        self.pull(full=True)

    def report(self) -> None:
        state = self.state()
        body = {
            "edge_id": self.config.edge_id,
            "mode": self.mode,
            "mode_since": self.mode_since.isoformat(),
            "journal_length": journal.length(state.pushed_rowid),
            "last_sync_at": state.last_sync_at.isoformat() if state.last_sync_at else None,
            "version": self.config.version,
            "message": self.last_error[:300],
        }
        try:
            self.central.call("POST", "/api/continuity/edges/status", body, timeout=PROBE_TIMEOUT)
        except urllib.error.HTTPError as exc:  # a refused report must not stop the sync
            log.warning("edge status report refused: HTTP %s", exc.code)

    # -- thread --------------------------------------------------------------------------
    def run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                close_old_connections()
                with self._lock:
                    self.tick()
            except Exception:
                log.exception("edge agent round failed")
            self._stop.wait(max(0.0, PROBE_SECONDS - (time.monotonic() - started)))

    def start(self) -> None:
        self.state()
        self.thread = threading.Thread(target=self.run, name="edge-agent", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()

    def next_receipt_random(self) -> str:
        """The next receipt random part from the block central reserved to this edge.

        Numbers are handed out from memory and the counter's high-water mark is saved
        ``RECEIPT_STEP`` at a time: one fsynced write per that many receipts instead of
        one per receipt (it was ~15% of a counter command). After a crash the edge
        resumes above the saved mark, so a number is never given twice; the skipped ones
        are simply never used (the random part need not be dense).
        """
        from .commands import RECEIPT_ALPHABET

        with self._receipt_lock:
            if self._receipt_next >= self._receipt_limit:
                with transaction.atomic():
                    state = EdgeState.objects.select_for_update().get(edge_id=self.config.edge_id)
                    if not state.receipt_prefix:
                        # Never synchronised: without its own block an edge's numbers could
                        # be another edge's, so it gives none.
                        raise Conflict(
                            "이 거점은 아직 중앙에서 접수번호 구간을 받지 못해 접수할 수 "
                            "없습니다. 중앙 시스템 또는 다른 창구를 이용해 주세요.",
                            "This edge has no receipt block from central yet; use central "
                            "or another channel.",
                            field="command",
                            code="no_receipt_block",
                        )
                    self._receipt_prefix = state.receipt_prefix
                    self._receipt_next = state.receipt_counter + 1
                    self._receipt_limit = state.receipt_counter + RECEIPT_STEP + 1
                    EdgeState.objects.filter(pk=state.pk).update(
                        receipt_counter=self._receipt_limit - 1
                    )
            n = self._receipt_next
            self._receipt_next += 1
            prefix = self._receipt_prefix
        digits = []
        for _ in range(6):
            n, r = divmod(n, 32)
            digits.append(RECEIPT_ALPHABET[r])
        return prefix + "".join(reversed(digits))


#: The running edge's agent (``None`` on central).
current: Agent | None = None


def mode() -> str | None:
    """The edge's mode, or ``None`` when this process is not an edge."""
    return current.mode if current is not None else None


def in_continuity() -> bool:
    """For other apps (certificate issuance): is this edge serving in continuity mode?"""
    return current is not None and current.mode in (CONTINUITY, RECONCILING)
