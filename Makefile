# Two commands do everything on a fresh machine with Python 3.11+:
#   make demo   - set up, then run the pipelines end to end in the embedded emulator
#   make test   - set up, then lint, type-check and run every test
# Setup is incremental: it reruns only when pyproject.toml, constraints.txt, a consumer
# plugin's pyproject.toml or the set of folders in consumers/ (one dropped in or
# deleted) changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := $(sort $(dir $(wildcard consumers/*/pyproject.toml)))
STAMP := $(VENV)/.installed
UV := $(BIN)/uv
# The core alone (`pip install eventpipe`, no extra), which tests/test_core_install.py
# runs: the runtime, the plugin API and Publisher work there, and every part whose extra
# is missing names it.
CORE_VENV := .venv-core
CORE_STAMP := $(CORE_VENV)/.installed

.PHONY: install bytecode rewrite-cache demo test lint types pytest bench bench-check clean pictures mutation mutation-resume mutation-survivors

install: $(STAMP) $(CORE_STAMP)

# `consumers` itself: its time changes when a plugin folder is added or deleted, so a
# deleted plugin is noticed (and uninstalled by eventpipe.stale_plugins) too.
$(STAMP): pyproject.toml constraints.txt consumers $(wildcard consumers/*/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# uv (pinned) does the installs: the same packages as pip from the same constraints,
	# in seconds instead of minutes (it downloads and unpacks in parallel). Compiled to
	# bytecode as pip does, or every process compiles what it imports again wherever
	# PYTHONDONTWRITEBYTECODE is set.
	$(BIN)/python -m pip install -q -c constraints.txt uv
	$(UV) pip install -q --python $(BIN)/python -c constraints.txt setuptools wheel
	# --no-build-isolation: build with the pinned setuptools above, not whatever is newest.
	$(UV) pip install -q --compile-bytecode --python $(BIN)/python --no-build-isolation \
		-c constraints.txt \
		-e '.[all,dev]' $(addprefix -e ,$(PLUGINS))
	$(BIN)/python -m eventpipe.stale_plugins
	touch $(STAMP)

# Made anew whenever the dependencies change (after .venv, whose uv it uses), so nothing an
# earlier core held lingers.
# The editable install follows the source; setuptools and wheel only build it.
$(CORE_STAMP): pyproject.toml constraints.txt | $(STAMP)
	rm -rf $(CORE_VENV)
	$(PYTHON) -m venv $(CORE_VENV)
	$(UV) pip install -q --python $(CORE_VENV)/bin/python -c constraints.txt setuptools wheel
	$(UV) pip install -q --compile-bytecode --python $(CORE_VENV)/bin/python \
		--no-build-isolation \
		-c constraints.txt -e .
	$(UV) pip uninstall -q --python $(CORE_VENV)/bin/python setuptools wheel
	touch $(CORE_STAMP)

# The project's own source compiled once: wherever PYTHONDONTWRITEBYTECODE is set, every
# process (a test worker, a function's worker process, a child `eventpipe`) would compile
# what it imports again. Incremental: an unchanged module is skipped.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q -j 0 eventpipe components consumers __main__.py

# pytest rewrites the asserts of every test module it imports and keeps the result in
# __pycache__ (keyed by the source's hash, so never stale), but not where
# PYTHONDONTWRITEBYTECODE is set: then each of the xdist workers rewrote every module
# again (about 5 s of CPU each, `benchmarks/README.md`, "Test suite"). One collection
# with bytecode writing on leaves the cache the workers read; redone when a test file
# changes.
TEST_SOURCES := conftest.py $(shell find tests consumers -name '*.py' -not -path '*/__pycache__/*')
REWRITE_STAMP := $(VENV)/.pytest-rewritten
rewrite-cache: $(REWRITE_STAMP)
$(REWRITE_STAMP): $(STAMP) $(TEST_SOURCES)
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -q --collect-only > /dev/null
	touch $@

demo: $(STAMP) bytecode
	$(BIN)/eventpipe demo

# mypy runs on one CPU; the test modules' rewritten code (rewrite-cache) is made on the
# other meanwhile.
test: install lint
	$(MAKE) --no-print-directory rewrite-cache & cache=$$!; \
	$(MAKE) --no-print-directory types; typed=$$?; \
	wait $$cache || exit 1; exit $$typed
	$(MAKE) --no-print-directory pytest

# lint-imports checks the floors of docs/architecture.md ([tool.importlinter] in
# pyproject.toml): no upward import, no circle, no Pulumi or pluggy where they do not belong.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

types: $(STAMP)
	$(BIN)/mypy components eventpipe

# Two worker processes per CPU (pytest-xdist): the end-to-end files spend much of their
# time waiting on an engine's worker processes or a child `eventpipe`, and the other
# worker runs another file meanwhile (benchmarks/README.md, "Test suite"). A test
# file stays on one worker, so a module's engine or emulator is started once, and files
# are handed out in collection order, the long ones first (tests/conftest.py).
# docs/testing.md, "Tests of eventpipe itself", says what keeps a test safe beside
# another worker's.
PYTEST_WORKERS ?= $(shell echo $$(( $$(getconf _NPROCESSORS_ONLN) * 2 )))
pytest: install bytecode rewrite-cache
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

# The pictures the docs show, made by the code they show, never by hand: the example
# stack's graph (SVG and Mermaid; PNG when Chromium is installed) and the browser
# console's screenshots, taken by its browser tests against a running local engine.
# tests/graph/test_pictures.py fails when the committed graph differs from the stack's.
pictures: $(STAMP)
	$(BIN)/eventpipe graph --out docs/images/graph.svg
	$(BIN)/eventpipe graph --format mermaid --out docs/images/graph.mmd
	$(BIN)/eventpipe graph --format png --out docs/images/graph.png
	EVENTPIPE_SCREENSHOTS=docs/images $(BIN)/pytest -q tests/webconsole/test_browser.py

bench: $(STAMP)
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

# The local engine's speed against benchmarks/local_recorded.json (each figure relative to
# the emulator baseline of the same run; two quick runs, averaged when recorded, the better
# one when checked); fails when one is more than 25% worse. About 7 minutes; not part of `make test` (a timing check there
# would flake on a shared machine).
bench-check: $(STAMP)
	$(BIN)/python benchmarks/check_local.py

clean:
	rm -rf $(VENV) $(CORE_VENV) build .eventpipe

# Mutation testing of eventpipe/runtime/ against tests/runtime/ (mutmut, pinned in
# constraints.txt); slow (a full run took 10.5 minutes on a loaded 2-CPU box), so not
# part of `make test`. Config: [tool.mutmut] in pyproject.toml; figures and how to read
# them: benchmarks/README.md ("Mutation testing").
#   make mutation            fresh run over every mutant (deletes mutants/ first)
#   make mutation-resume     finish an interrupted run: mutmut keeps each verdict in
#                            mutants/ and checks only the mutants not yet checked
#   make mutation-survivors  check the survivors again (after adding tests: mutmut never
#                            re-checks a decided mutant unless it is named)
mutation: $(STAMP)
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

mutation-resume: $(STAMP)
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

mutation-survivors: $(STAMP)
	$(BIN)/mutmut run --max-children 2 $$($(BIN)/mutmut results | awk -F: '/: survived$$/ {print $$1}')
	$(BIN)/mutmut results
