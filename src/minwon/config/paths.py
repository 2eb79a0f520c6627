"""Where minwon keeps its files: the working directory's ``var/`` unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    """The directory for the embedded database, generated secrets and keys (never committed)."""
    path = Path(os.environ.get("MINWON_VAR_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_file(name: str, *, nbytes: int = 32) -> bytes:
    """Read a secret from ``var/secrets/<name>``, generating it on first use (demo only).

    Production passes secrets through the environment; this keeps a fresh clone runnable
    without ever committing a secret.
    """
    folder = var_dir() / "secrets"
    folder.mkdir(mode=0o700, exist_ok=True)
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
