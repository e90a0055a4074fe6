# The 1C:Enterprise Native API component (onec/): liblogibridge_1c.so, its configuration
# template dist/LogiBridge.zip, and the host harness (tests/onec/) that loads the packaged
# library the way the platform does, under valgrind, against the sandbox.
#
#   make onec-package   dist/LogiBridge.zip (MANIFEST.XML + the optimised libraries for Linux
#                       x86_64 glibc 2.17, Windows x86_64 and x86: mk/platforms.mk builds them)
#   make test-onec      the harness under valgrind on the Linux library (glibc 2.17) of make test's
#                       own package (tests/onec/build/LogiBridge.zip, mk/platforms.mk's
#                       test-package: the ZIP checked, the library extracted from it)
#   make test-windows   the harness under wine on the same package's Windows DLLs, and the C
#                       tests on Windows (mk/platforms.mk)
#
# The shipped library is optimised (issue 10, item 30), and the harness loads that very
# file, extracted from the ZIP. Its profile `onec` is the release profile made cheaper to
# build on the 2-core CI: no LTO, 16 codegen units, opt-level 2, no debug information (the
# package strips it anyway). "No LTO" is `lto = false`, which still runs ThinLTO across the
# crate's own codegen units: 97 of the core crate's 164 s (rustc -Ztime-passes, this
# machine). `lto = "off"` skips it (the crate in 92 s, make test about 3 CPU-minutes less) but
# made the Rust price-list reader 1.17x slower and the JSON Lines conversion 1.42x slower
# (bench read-pricelist on a 48 MB list, medians of 5), so the shipped libraries keep it.
# Measured cold on this 2-core machine (shared with other builds):
# 344 CPU-seconds (10 min wall at 57 % CPU) against 401 CPU-seconds (12 min wall at 55 %)
# for `--release` (lto = thin, 4 units, opt-level 3, line tables); on two free cores that
# is roughly 3 min against 3.5-4 min added to `make test`. It is defined here with `--config` because the workspace's
# [profile.release] serves the other faces. Only the component is built (`-p`): the
# release tree shares nothing with the dev build of the rest of `make test`.
# `ONEC_PROFILE=release make onec-package` ships the workspace's release profile instead.
ONEC_PROFILE ?= onec
ONEC_PROFILE_CONFIG := --config 'profile.onec.inherits="release"' --config 'profile.onec.lto=false' \
	--config 'profile.onec.codegen-units=16' --config 'profile.onec.opt-level=2' --config 'profile.onec.debug=false'
ONEC_SO := $(CARGO_TARGET_DIR)/x86_64-unknown-linux-gnu/$(ONEC_PROFILE)/liblogibridge_1c.so
ONEC_DLL64 := $(CARGO_TARGET_DIR)/x86_64-pc-windows-gnu/$(ONEC_PROFILE)/logibridge_1c.dll
ONEC_DLL32 := $(CARGO_TARGET_DIR)/i686-pc-windows-gnu/$(ONEC_PROFILE)/logibridge_1c.dll
ONEC_ZIP := dist/LogiBridge.zip
ONEC_BUILD := tests/onec/build
# make test's package (mk/platforms.mk, test-package): the libraries it can run here.
ONEC_TEST_ZIP := $(ONEC_BUILD)/LogiBridge.zip
ONEC_HOST := $(ONEC_BUILD)/host
CXX ?= g++

.PHONY: onec-lib onec-package test-onec

onec-lib:
	+$(CARGO) build -p logibridge-1c --lib --profile $(ONEC_PROFILE) $(ONEC_PROFILE_CONFIG)

# The packaged libraries are the cross builds of mk/platforms.mk (the Linux one against glibc
# 2.17); onec-lib is the host's own build (glibc 2.34), for trying the component out locally.
onec-package: cross-linux217 cross-win64 cross-win32
	$(PYTHON) onec/package.py --so $(ONEC_SO) --dll-x86_64 $(ONEC_DLL64) --dll-i386 $(ONEC_DLL32) --out $(ONEC_ZIP)
	$(PYTHON) tests/onec/check_package.py $(ONEC_ZIP) $(CARGO_TARGET_DIR)/package-check/onec || { rm -f $(ONEC_ZIP); exit 1; }

$(ONEC_HOST): tests/onec/host.cpp | c-deps
	@mkdir -p $(ONEC_BUILD)
	$(CXX) -std=c++17 -Wall -Wextra -Werror -O0 -g -o $@ $< -ldl -pthread

test-onec: build c-deps test-package $(ONEC_HOST)
	$(suite-start)
	LB_COMPONENT="$$(sed -n 's/^check_package: extracted Linux x86_64 //p' $(ONEC_BUILD)/package.log)" tests/onec/run.sh $(ONEC_HOST)
	$(suite-end)

TEST_TARGETS += test-onec
