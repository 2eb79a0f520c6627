"""The authorisation matrix's records, built once per test module through commands inside
one transaction rolled back at the end (Django's ``TestCase`` class-level atomics); each
test runs in its own savepoint on top."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import TestCase

from minwon.documents import signing
from tests.web.authz_world import World, build


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as env:
        env.setenv("MINWON_KEYS_DIR", str(tmp_path_factory.mktemp("matrix-keys")))
        env.setenv("MINWON_PUBLIC_URL", "https://minwon.example.kr")
        signing.reset_cache()
        atomics = TestCase._enter_atomics()
        try:
            yield build()
        finally:
            TestCase._rollback_atomics(atomics)
            signing.reset_cache()
