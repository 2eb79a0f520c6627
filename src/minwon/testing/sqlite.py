"""Reading the bytes an SQLite database really stores, from a test that has it open.

A process that opens and closes any descriptor on a database file drops every POSIX
advisory lock it holds on that file, SQLite's included ("How To Corrupt An SQLite Database
File", 2.2). A connection of that process then believes it still holds its shared lock; the
next process to close the database (a server a test started) finds itself alone, checkpoints
and deletes the write-ahead log and its index under the test process, whose next connection
fails with "disk I/O error" — every later test of that xdist worker with it. So the bytes are
read by a child process, whose descriptors cannot touch this process's locks.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_READ = "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())"


def stored_bytes(database: Path) -> bytes:
    """The database file followed by its write-ahead log (if any), read by a child process."""
    raw = b""
    for path in (database, database.with_name(database.name + "-wal")):
        if path.exists():
            raw += subprocess.run(
                [sys.executable, "-c", _READ, str(path)], capture_output=True, check=True
            ).stdout
    return raw
