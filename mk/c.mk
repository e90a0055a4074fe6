# C face (ffi-c/): liblogibridge.{so,a}, include/logibridge.h, tests/c, examples/c.
#
#   make test-c       header freshness + C tests (dynamic under valgrind or ASan, static natively;
#                     tests/c/run.sh says which)
#   make header       regenerate include/logibridge.h with the pinned cbindgen
#   make header-check fail when the committed header differs from a fresh generation
#
# `build` (the Makefile) builds the cdylib/staticlib and the sandbox binary into $(DEBUG_DIR).
.PHONY: test-c header header-check c-deps

TEST_TARGETS += test-c

# gcc, g++ and valgrind come from Debian's packages; installed only when missing (CI runs
# as root on a fresh clone).
c-deps:
	@missing=""; \
	for t in gcc:gcc g++:g++ valgrind:valgrind; do \
		command -v $${t%%:*} >/dev/null || missing="$$missing $${t#*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "== installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

header:
	LB_BLESS=1 $(CARGO) test --workspace $(CARGO_EXCLUDE) --test header

header-check:
	$(CARGO) test --workspace $(CARGO_EXCLUDE) --test header

# The header's freshness is checked by test-rust (`cargo test --workspace` runs ffi-c's
# `header` test); `make header-check` runs it alone.
test-c: build c-deps
	$(suite-start)
	DEBUG_DIR=$(DEBUG_DIR) bash tests/c/run.sh
	$(suite-end)
