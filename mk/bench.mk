# Price-list reader and model decoding benchmarks (bench/, BENCHMARKS.md).
#
#   make bench                        generate 10 MB, 100 MB and 1.1 GB lists under bench/data/,
#                                     time every reader on each, write BENCHMARKS.md
#   make bench BENCH_SIZES="10 100"   a quicker curve
#
# The Rust readers (`read-pricelist` modes iter, reuse, iter+background, ref = borrowed rows,
# par = par_for_each on every core, jsonl) are built with the release profile (for the benchmark only). pandas is
# installed into the repo venv. The Python face is measured only when the installed
# `logibridge` package has `logibridge.pricelist.read` (bench-python-wheel tries to build
# and install a release wheel first; when it cannot, that row is skipped with a note).
# bench/models.py (run by bench/run.py) times the Python face's model decoding against
# pydantic v2 and `requests` + pydantic, pinned peers installed into the same venv.

BENCH_SIZES ?= 10 100 1100
BENCH_PANDAS ?= pandas==3.1.1
BENCH_PEERS ?= pydantic==2.14.3 requests==2.34.2
BENCH_STAMP := $(VENV)/.logibridge-bench-tools
BENCH_WHEEL_DIR := $(CARGO_TARGET_DIR)/wheels-bench

.PHONY: bench bench-tools bench-build bench-python-wheel

$(BENCH_STAMP): mk/bench.mk | $(VPY)
	$(VPY) -m pip install --quiet --disable-pip-version-check $(BENCH_PANDAS) $(BENCH_PEERS)
	touch $@

bench-tools: $(BENCH_STAMP)

bench-build:
	$(CARGO) build --release -p logibridge-bench

# Optional: a release build of the Python face, so its row measures the reader and not a
# debug build. Failure here (no Python face yet) is not fatal to `make bench`.
bench-python-wheel: | $(VPY)
	$(MAKE) python-tools
	rm -rf $(BENCH_WHEEL_DIR)
	$(VENV)/bin/maturin build --quiet --release --interpreter $(VPY) --out $(BENCH_WHEEL_DIR)
	$(VPY) -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps $(BENCH_WHEEL_DIR)/logibridge-*.whl

bench: $(BENCH_STAMP) bench-build
	-$(MAKE) bench-python-wheel
	$(VPY) bench/run.py --sizes $(BENCH_SIZES) --bin $(CARGO_TARGET_DIR)/release --out BENCHMARKS.md
