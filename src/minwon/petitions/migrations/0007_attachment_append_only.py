"""The attachments a petition was filed with are append-only in the database
(``kernel.append_only``): a stored file's digest, size, type or key cannot be rewritten
after the command recorded them, nor (on PostgreSQL) the row removed."""

from __future__ import annotations

from django.db import migrations

from minwon.kernel import append_only


class Migration(migrations.Migration):
    dependencies = [("petitions", "0006_tracking_view")]

    operations = [migrations.RunPython(*append_only.operations(["petitions_attachment"]))]
