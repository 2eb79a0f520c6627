"""Where minwon keeps its files: the working directory's ``var/`` unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    """The directory for the embedded database, generated secrets and keys (never committed).

    Only minwon's own user may enter it (0700): it holds the database file, the data key,
    signing keys and mail. One created earlier with wider rights is narrowed if it is ours.
    """
    path = Path(os.environ.get("MINWON_VAR_DIR", "var")).resolve()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    private(path, 0o700)
    return path


def private(path: Path, mode: int) -> None:
    """Narrow ``path`` to ``mode`` if it is ours and others have any right on it."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    if status.st_uid == os.getuid() and status.st_mode & 0o077:
        path.chmod(mode)


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it is missing, else narrow it to 0600 (the
    SQLite database: SQLite gives its -wal and -shm files the database file's mode)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        private(path, 0o600)
    for extra in ("-wal", "-shm", "-journal"):
        private(path.with_name(path.name + extra), 0o600)


def secret_file(name: str, *, nbytes: int = 32) -> bytes:
    """Read a secret from ``var/secrets/<name>``, generating it on first use (demo only).

    Production passes secrets through the environment; this keeps a fresh clone runnable
    without ever committing a secret.
    """
    folder = var_dir() / "secrets"
    folder.mkdir(mode=0o700, exist_ok=True)
    private(folder, 0o700)
    path = folder / name
    if not path.exists():
        # Write aside, then link into place: two processes starting together both see
        # one complete secret, never a half-written file.
        tmp = folder / f".{name}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(os.urandom(nbytes))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_bytes()
