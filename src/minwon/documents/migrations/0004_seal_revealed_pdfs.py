"""Issued files that reveal resident numbers, written before they were sealed at rest, are
sealed now (``documents.sealing``): the one rewrite of the append-only file table, done
with its triggers lifted for the length of this migration and restored after."""

from __future__ import annotations

import importlib
from typing import Any

from django.db import migrations


def seal_existing(apps: Any, schema_editor: Any) -> None:
    from minwon.documents.sealing import MAGIC, reveals_numbers, seal_pdf

    issuance = apps.get_model("documents", "Issuance")
    issued_file = apps.get_model("documents", "IssuedFile")
    revealed = [
        number
        for number, options in issuance.objects.values_list("document_number", "options")
        if reveals_numbers(options or {})
    ]
    pending = [
        (number, bytes(pdf))
        for number, pdf in issued_file.objects.filter(issuance_id__in=revealed).values_list(
            "issuance_id", "pdf"
        )
        if not bytes(pdf).startswith(MAGIC)
    ]
    if not pending:
        return
    triggers = importlib.import_module("minwon.documents.migrations.0002_ledger_triggers")
    triggers.remove(apps, schema_editor)
    with schema_editor.connection.cursor() as cursor:
        for number, pdf in pending:
            cursor.execute(
                "UPDATE documents_issuedfile SET pdf = %s WHERE issuance_id = %s",
                [seal_pdf(number, pdf), number],
            )
    triggers.install(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_issued_pdf_lz4")]

    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
