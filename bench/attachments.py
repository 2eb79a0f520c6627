"""Benchmark of petition attachments (issue 15): what staging one file costs — type by
content, SHA-256, the content-addressed HMAC key, AES-GCM sealing and the write to the
filesystem storage — and reading it back (read, decrypt), against the floor of writing and
reading the same bytes as a plain file.

Run: ``.venv/bin/python bench/attachments.py [MiB] [N]`` — N files of MiB each (default 10
files of 10 MiB, the default limit), in a temporary storage directory.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    size = int(float(sys.argv[1]) * 1024 * 1024) if len(sys.argv) > 1 else 10 * 1024 * 1024
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    where = tempfile.mkdtemp(prefix="minwon-bench-attach-")
    os.environ.setdefault("MINWON_VAR_DIR", where)
    os.environ["MINWON_ATTACHMENTS_DIR"] = str(Path(where) / "attachments")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minwon.config.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from tests.petitions import samples

    from minwon.petitions import files

    head = samples.pdf()
    bodies = [head + os.urandom(size - len(head)) for _ in range(count)]

    started = time.perf_counter()
    for n, body in enumerate(bodies):
        (Path(where) / f"plain-{n}").write_bytes(body)
    plain_write = time.perf_counter() - started
    started = time.perf_counter()
    for n in range(count):
        (Path(where) / f"plain-{n}").read_bytes()
    plain_read = time.perf_counter() - started

    started = time.perf_counter()
    refs = [
        files.stage(SimpleUploadedFile(f"{n}.pdf", body), document="사업계획서")
        for n, body in enumerate(bodies)
    ]
    stage = time.perf_counter() - started
    started = time.perf_counter()
    for ref in refs:
        files.verify(ref, field="bench")
    verify = time.perf_counter() - started

    mib = size * count / (1024 * 1024)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f}; {count} files of {size / 1024 / 1024:.1f} MiB")  # fmt: skip
    print(f"plain write        {mib / plain_write:8.1f} MiB/s   (floor)")
    print(f"stage (check+seal) {mib / stage:8.1f} MiB/s   {stage / count * 1000:7.1f} ms/file  "
          f"{stage / plain_write:5.1f}x the floor")  # fmt: skip
    print(f"plain read         {mib / plain_read:8.1f} MiB/s   (floor)")
    print(f"verify (read+open) {mib / verify:8.1f} MiB/s   {verify / count * 1000:7.1f} ms/file  "
          f"{verify / plain_read:5.1f}x the floor")  # fmt: skip


if __name__ == "__main__":
    main()
