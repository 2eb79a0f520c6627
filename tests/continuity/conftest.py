"""Continuity tests run real processes (central, a cuttable proxy, edge nodes); the
scenario tests take 20 s to about two minutes each and are marked ``slow`` so they can be
selected or deselected by name. They run in ``make test`` like every other test."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: a scenario over real processes that takes more than ~30 s"
    )
