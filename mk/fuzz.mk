# Fuzzing (fuzz/, issue 10): five targets that are plain functions in fuzz/src, run two ways.
#
#   make test         runs the smoke: fuzz/tests/fuzz_smoke.rs is part of `cargo test
#                     --workspace` (test-rust): every target on its committed corpus, every
#                     file of fuzz/regressions/ and a few thousand seeded mutations, in the dev
#                     profile, without libFuzzer (a few seconds; nothing more to build).
#   make fuzz         the real thing: cargo fuzz (libFuzzer, AddressSanitizer, coverage
#                     guided) for FUZZ_SECONDS per target; new inputs go to
#                     $(CARGO_TARGET_DIR)/fuzz-corpus/<target>, crashes to fuzz/artifacts/.
#   make fuzz FUZZ_TARGETS=decode FUZZ_SECONDS=600    one target, longer
#   make test-fuzz-smoke                               the smoke alone
#
# Only a stable toolchain is here: libFuzzer's instrumentation needs -Z flags, which the
# stable compiler accepts with RUSTC_BOOTSTRAP=1 (set for cargo fuzz only). cargo-fuzz is
# installed into .tools/ when missing (about a minute). Its build is a release build of the
# whole dependency tree with sanitizer flags, into $(CARGO_TARGET_DIR)/x86_64-unknown-linux-gnu/,
# apart from the dev build of `make test`; the workspace build never compiles libFuzzer
# (the fuzz crate's `libfuzzer` feature is off there). Measured on this 2-core machine while
# other builds ran: cargo-fuzz install 58 s; the instrumented dependency tree 26 min wall
# (15 CPU-min); then about 6.5 CPU-min per target binary (codegen-units 1). That is why the
# smoke of `make test` replays inputs instead of running libFuzzer.

FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= qty pricelist decode ffi_json describe
FUZZ_SANITIZER ?= address
# Arguments for libFuzzer itself, e.g. FUZZ_ARGS="-jobs=2 -workers=2".
FUZZ_ARGS ?=
# Arguments for cargo fuzz build/run, e.g. FUZZ_BUILD_ARGS="--codegen-units 16" (quicker
# builds, somewhat slower runs; a change of flags rebuilds the whole tree).
FUZZ_BUILD_ARGS ?=
CARGO_FUZZ_VERSION := 0.13.2
FUZZ_TOOLS := $(CURDIR)/.tools
CARGO_FUZZ := $(FUZZ_TOOLS)/bin/cargo-fuzz
FUZZ_WORK := $(CARGO_TARGET_DIR)/fuzz-corpus

.PHONY: fuzz fuzz-tools fuzz-build test-fuzz-smoke

$(CARGO_FUZZ):
	$(CARGO) install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked --root $(FUZZ_TOOLS)

fuzz-tools: $(CARGO_FUZZ)

fuzz-build: $(CARGO_FUZZ)
	RUSTC_BOOTSTRAP=1 $(CARGO_FUZZ) fuzz build --features libfuzzer -s $(FUZZ_SANITIZER) $(FUZZ_BUILD_ARGS)

# Every target runs even when one fails; the failures are listed at the end. libFuzzer reads
# the committed corpus and regressions and writes what it finds new to $(FUZZ_WORK) only.
fuzz: fuzz-build
	@failed=""; \
	for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_WORK)/$$t; \
		echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
		RUSTC_BOOTSTRAP=1 $(CARGO_FUZZ) fuzz run --features libfuzzer -s $(FUZZ_SANITIZER) $(FUZZ_BUILD_ARGS) $$t \
			$(FUZZ_WORK)/$$t fuzz/corpus/$$t fuzz/regressions/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -timeout=20 -print_final_stats=1 $(FUZZ_ARGS) \
			|| failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "== make fuzz: failed:$$failed (inputs under fuzz/artifacts/)"; exit 1; fi; \
	echo "== make fuzz: no failure in $(FUZZ_TARGETS)"

test-fuzz-smoke:
	$(CARGO) test --workspace $(CARGO_EXCLUDE) --test fuzz_smoke
