"""Continuity tests run real processes (central, a cuttable proxy, edge nodes); the
scenario tests take 20 s to about two minutes each and are marked ``slow`` (pyproject) so
they can be selected or deselected by name. They run in ``make test`` like every other
test."""
