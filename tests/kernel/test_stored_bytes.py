"""The suite reads the bytes SQLite stores without breaking the locks of its own connections
(``minwon.testing.sqlite``): CI lost a whole xdist worker to "disk I/O error" when a test
read the database file in-process and a server it started later closed the database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from minwon.testing.sqlite import stored_bytes

_WRITE_AND_CLOSE = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=WAL');"
    "c.execute('INSERT INTO t VALUES (3)'); c.commit(); c.close()"
)


def _open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


def test_reading_the_stored_bytes_keeps_this_processs_locks(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first = _open(path)
    first.execute("CREATE TABLE t (x)")
    first.execute("INSERT INTO t VALUES (1)")
    idle = _open(path)  # another connection of this process, as a thread would leave one
    idle.execute("SELECT count(*) FROM t").fetchall()

    assert b"CREATE TABLE t" in stored_bytes(path)
    first.close()
    again = _open(path)
    again.execute("INSERT INTO t VALUES (2)")
    # Another process closes the database: it must see this one still holding it and keep
    # the write-ahead log; had the read dropped our locks, it would delete it under us.
    subprocess.run([sys.executable, "-c", _WRITE_AND_CLOSE, str(path)], check=True)
    assert path.with_name(path.name + "-wal").exists()
    assert _open(path).execute("SELECT count(*) FROM t").fetchone() == (3,)
    idle.close()
    again.close()
