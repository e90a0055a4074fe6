# The benchmark suite (bench/, BENCHMARKS.md): every row a ratio against a peer measured in
# the same run (medians of rotated rounds, wall and CPU time, peak RSS, load average).
#
#   make bench                             price lists of 10 and 100 MB, 5 rounds; writes BENCHMARKS.md
#   make bench BENCH_SIZES="10 100 1100"   adds the 1.1 GB list (3 rounds on it; generated, then deleted)
#   make bench-quick                       one 10 MB list, 3 rounds; writes bench/data/BENCHMARKS-quick.md
#
# Release builds only: the bench crate (generator, `measure`, the Rust readers, the Rust
# client), the C library (crate logibridge-ffi; bench/run.py compiles bench/c/*.c against it
# with $(CC)) and the sandbox binary; the Python face as a
# release wheel installed into its own directory ($(BENCH_SITE), put first on PYTHONPATH by
# bench/run.py), so the `make python-dev` build in .venv is neither measured nor replaced.
# The peers are installed into the repo venv at the versions pinned here; the table names them.

BENCH_SIZES ?= 10 100
BENCH_ROUNDS ?= 5
BENCH_OUT ?= BENCHMARKS.md
BENCH_PEERS ?= pandas==3.1.1 pyarrow==26.0.1 polars==2.1.0 pydantic==2.14.3 requests==2.34.2 httpx==0.28.1 aiohttp==3.14.5
BENCH_STAMP := $(VENV)/.logibridge-bench-tools
BENCH_WHEEL_DIR := $(CARGO_TARGET_DIR)/wheels-bench
BENCH_SITE := $(CARGO_TARGET_DIR)/bench-site
BENCH_RUN = $(VPY) bench/run.py --bin $(CARGO_TARGET_DIR)/release --site $(BENCH_SITE)

.PHONY: bench bench-quick bench-tools bench-build bench-python-wheel

$(BENCH_STAMP): mk/bench.mk | $(VPY)
	$(VPY) -m pip install --quiet --disable-pip-version-check $(BENCH_PEERS)
	touch $@

bench-tools: $(BENCH_STAMP)

bench-build:
	$(CARGO) build --release -p logibridge-bench -p logibridge-ffi -p logibridge-sandbox

# A release build of the Python face into $(BENCH_SITE). When it cannot be built, bench/run.py
# measures the package installed in .venv and says so in the table.
bench-python-wheel: | $(VPY)
	$(MAKE) python-tools
	rm -rf $(BENCH_WHEEL_DIR) $(BENCH_SITE)
	$(VENV)/bin/maturin build --quiet --release --interpreter $(VPY) --out $(BENCH_WHEEL_DIR)
	$(VPY) -m pip install --quiet --disable-pip-version-check --no-deps --target $(BENCH_SITE) $(BENCH_WHEEL_DIR)/logibridge-*.whl

bench: $(BENCH_STAMP) bench-build
	-$(MAKE) bench-python-wheel
	$(BENCH_RUN) --sizes $(BENCH_SIZES) --rounds $(BENCH_ROUNDS) --out $(BENCH_OUT)

bench-quick: $(BENCH_STAMP) bench-build
	-$(MAKE) bench-python-wheel
	$(BENCH_RUN) --quick --sizes 10 --rounds 3 --out bench/data/BENCHMARKS-quick.md
