"""Portal fixtures: the petition catalog and the petitions helpers, shared with tests/petitions."""

from tests.petitions.conftest import act, apply, catalog_loaded, citizen, clerk, officer

__all__ = ["act", "apply", "catalog_loaded", "citizen", "clerk", "officer"]
