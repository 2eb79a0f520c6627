"""Test support shipped with the package: a PostgreSQL server the tests start themselves,
the pytest plugin, and the browser launcher."""
