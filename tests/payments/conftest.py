"""The petitions fixtures (catalog, citizen, officer, clerk, apply, act) for payments."""

from tests.petitions.conftest import act, apply, catalog_loaded, citizen, clerk, officer

__all__ = ["act", "apply", "catalog_loaded", "citizen", "clerk", "officer"]
