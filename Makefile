# minwon — the two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
export PORT
# The address printed on certificates and in their QR codes (README, "Configuration").
MINWON_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
export MINWON_PUBLIC_URL

# Parallel test processes (pytest-xdist); CI and 2-core machines use 2.
TEST_WORKERS ?= 2

.PHONY: run test setup lint typecheck pytest pytest-sqlite pytest-postgres pytest-clock pytest-gunicorn demo clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if command -v uv >/dev/null 2>&1; then \
		uv pip install --python $(PY) -q -e '.[dev]'; \
	else \
		$(PY) -m pip install -q --upgrade pip && $(PY) -m pip install -q -e '.[dev]'; \
	fi
	@touch $@

setup: $(VENV)/.installed

run: setup
	$(VENV)/bin/minwon demo --port $(PORT)
	$(VENV)/bin/minwon serve --port $(PORT)

demo: setup
	$(VENV)/bin/minwon demo --port $(PORT)

lint: setup
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/ruff check src tests bench

typecheck: setup
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy bench

pytest-sqlite: setup
	$(VENV)/bin/pytest -n $(TEST_WORKERS) -m "not chaos" $(PYTEST_ARGS)

pytest-postgres: setup
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --postgres -m "not browser and not chaos" $(PYTEST_ARGS)

# Exit 5 means "no test collected": the chaos folder may be empty on a branch without the cluster.
pytest-chaos: setup
	$(VENV)/bin/pytest -m chaos tests/chaos $(PYTEST_ARGS) || test $$? -eq 5

# The tests whose subject is time (deadlines, the calendar, sweeps, alerts, health ages) run
# again at each instant of the clock sweep (minwon.testing.plugin.SWEEP: 00:30 to 23:59 KST
# on a Monday, a Friday, a Sunday and the working day before 설날), with the project's own
# clock set there. `--clock INSTANT` runs any selection at one instant.
CLOCK_TESTS ?= tests/kernel/test_calendar.py tests/petitions/test_deadlines.py \
	tests/petitions/test_sweep.py \
	tests/registry/test_movein.py tests/ops/test_alerts.py tests/ops/test_health.py \
	tests/notices/test_lifecycle.py tests/notices/test_sweep.py
pytest-clock: setup
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --clock-sweep -q -m "not browser and not slow" \
		$(CLOCK_TESTS) $(PYTEST_ARGS)

# `minwon serve` runs granian; gunicorn is kept as the baseline and must keep working: the
# tests that start `minwon serve` without naming a server run again under gunicorn
# (tests/web/test_serve.py names both itself).
SERVED_TESTS ?= tests/petitions/test_rate_limits.py tests/continuity/test_normal_mode.py
pytest-gunicorn: setup
	MINWON_WEB_SERVER=gunicorn $(VENV)/bin/pytest -n $(TEST_WORKERS) -q $(SERVED_TESTS) $(PYTEST_ARGS)

pytest: pytest-sqlite pytest-postgres pytest-chaos pytest-clock pytest-gunicorn

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
