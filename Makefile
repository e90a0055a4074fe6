# logibridge — the two commands of the README (`make demo`, `make test`) and `make bench`.
#
# Every face's rules live in mk/<face>.mk; each adds its test target to TEST_TARGETS.
# One cargo target dir and one profile (dev) for all test builds: build once, test many.

SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TERM_COLOR ?= never
# `make test` and `make demo` start from a clean tree (CI, a fresh clone): incremental state
# only costs them time and gigabytes. Set CARGO_INCREMENTAL=1 when iterating.
export CARGO_INCREMENTAL ?= 0
CARGO ?= cargo
PYTHON ?= python3
VENV := $(CURDIR)/.venv
VPY := $(VENV)/bin/python
DEBUG_DIR := $(CARGO_TARGET_DIR)/debug

TEST_TARGETS := test-rust
DEMO_TARGET := demo-rust

.PHONY: all demo test bench build test-rust sandbox clean
all: build

include $(sort $(wildcard mk/*.mk))

# The virtualenv under the repo: everything Python comes from here, nothing by hand.
$(VPY):
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip

# Every cargo step of `make test` names the whole workspace: `-p <crate>` would unify
# features differently and rebuild shared dependencies a second time.
build:
	+$(CARGO) build --workspace --all-targets $(CARGO_EXCLUDE)

# The chaos test and the fuzz smoke print their counts (RELIABILITY.md quotes them): they
# run on their own with their output shown, the rest with cargo's usual capture. The second
# run selects the same packages (`--workspace`, its test targets): naming single targets
# (`--test outcome`) would resolve features anew and rebuild the whole tree.
SHOWN_TESTS := chaos_ smoke_
test-rust: build
	$(suite-start)
	+$(CARGO) test --workspace $(CARGO_EXCLUDE) --no-fail-fast -- $(addprefix --skip ,$(SHOWN_TESTS))
	$(CARGO) test --workspace $(CARGO_EXCLUDE) --no-fail-fast --tests -- --nocapture $(SHOWN_TESTS)
	$(suite-end)

demo: $(DEMO_TARGET)

# The suites run two at a time (TEST_JOBS), each as soon as its inputs are built: the C and
# 1C suites spend most of their time in valgrind on one core, the Rust and Python tests much
# of theirs waiting on sockets, and the 1C component's optimised build (a profile directory,
# so a cargo lock, of its own) fills the gaps of the dev build. Cargo takes its jobs from
# make's job server, so the machine is never asked for more than TEST_JOBS at once. Each
# suite's output is printed whole when it ends, with its time.
# The whole output is also kept in $(TEST_LOG); when a suite fails, tools/test_failures.sh
# names it and repeats its first failure lines at the end, where a CI page shows them. (Through
# the pipe, cargo draws no progress bar.)
TEST_JOBS ?= 2
TEST_LOG := $(CARGO_TARGET_DIR)/make-test.log
test:
	@mkdir -p $(CARGO_TARGET_DIR) && set -o pipefail; \
	$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target test-suites 2>&1 | tee $(TEST_LOG) \
		|| { status=$$?; bash tools/test_failures.sh $(TEST_LOG); exit $$status; }
	@echo "== make test: all suites passed ($(TEST_TARGETS))"

# The Windows build (the longest) and the dev build are listed first. This is a priority
# only when a job slot is free: cargo takes every slot a finished step frees, so a step
# started beside a running cargo (the phony win-deps in front of cross-win64) waits until
# that cargo ends. Clean clones here: 23 min 44 s to 25 min 13 s with this order, against
# 26 min 49 s with the suites first.
test-suites: cross-win64 build test-package $(TEST_TARGETS)

# The first and last line of each suite's recipe: "== test-x passed in N s" (the suite's own
# time, after its prerequisites were built).
suite-start = @mkdir -p $(CARGO_TARGET_DIR) && date +%s > $(CARGO_TARGET_DIR)/.suite-started-$@
suite-end = @echo "== $@ passed in $$(( $$(date +%s) - $$(cat $(CARGO_TARGET_DIR)/.suite-started-$@) )) s"

# CARGO.RUN models and their fixtures from ../shared/spec/cargorun (tools/cargorun_gen.py; checked by core/tests/cargorun_models.rs),
# and the whole Swagger's operation table (tools/cargorun_swagger_gen.py; checked by core/tests/cargorun_swagger.rs).
cargorun-models: ; $(PYTHON) tools/cargorun_gen.py && $(PYTHON) tools/cargorun_gen.py --examples && $(PYTHON) tools/cargorun_gen_py.py && $(PYTHON) tools/cargorun_swagger_gen.py

sandbox:
	$(CARGO) run -p logibridge-sandbox -- --port 0

clean:
	$(CARGO) clean
	rm -rf $(VENV) dist tests/c/build tests/c/build-windows tests/onec/build
