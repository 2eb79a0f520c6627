"""The administration pages reuse the petitions' fixtures (catalog, filing) to have open
deadlines to move."""

from tests.petitions.conftest import apply, catalog_loaded, citizen

__all__ = ["apply", "catalog_loaded", "citizen"]
