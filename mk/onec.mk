# The 1C:Enterprise Native API component (onec/): liblogibridge_1c.so, its configuration
# template dist/LogiBridge.zip, and the host harness (tests/onec/) that loads the packaged
# library the way the platform does, under valgrind, against the sandbox.
#
#   make onec-package   dist/LogiBridge.zip (MANIFEST.XML + the optimised library)
#   make test-onec      package, check the ZIP, run the harness on the packaged library
#
# The shipped library is optimised (issue 10, item 30), and the harness loads that very
# file, extracted from the ZIP. Its profile `onec` is the release profile made cheaper to
# build on the 2-core CI: no LTO, 16 codegen units, opt-level 2, no debug information (the
# package strips it anyway). Measured cold on this 2-core machine (shared with other builds):
# 344 CPU-seconds (10 min wall at 57 % CPU) against 401 CPU-seconds (12 min wall at 55 %)
# for `--release` (lto = thin, 4 units, opt-level 3, line tables); on two free cores that
# is roughly 3 min against 3.5-4 min added to `make test`. It is defined here with `--config` because the workspace's
# [profile.release] serves the other faces. Only the component is built (`-p`): the
# release tree shares nothing with the dev build of the rest of `make test`.
# `ONEC_PROFILE=release make onec-package` ships the workspace's release profile instead.
ONEC_PROFILE ?= onec
ONEC_PROFILE_CONFIG := --config 'profile.onec.inherits="release"' --config 'profile.onec.lto=false' \
	--config 'profile.onec.codegen-units=16' --config 'profile.onec.opt-level=2' --config 'profile.onec.debug=false'
ONEC_SO := $(CARGO_TARGET_DIR)/$(ONEC_PROFILE)/liblogibridge_1c.so
ONEC_ZIP := dist/LogiBridge.zip
ONEC_BUILD := tests/onec/build
ONEC_HOST := $(ONEC_BUILD)/host
CXX ?= g++

.PHONY: onec-lib onec-package test-onec

onec-lib:
	+$(CARGO) build -p logibridge-1c --lib --profile $(ONEC_PROFILE) $(ONEC_PROFILE_CONFIG)

onec-package: onec-lib
	$(PYTHON) onec/package.py --so $(ONEC_SO) --out $(ONEC_ZIP)

$(ONEC_HOST): tests/onec/host.cpp | c-deps
	@mkdir -p $(ONEC_BUILD)
	$(CXX) -std=c++17 -Wall -Wextra -Werror -O0 -g -o $@ $< -ldl -pthread

test-onec: build c-deps onec-package $(ONEC_HOST)
	$(suite-start)
	$(PYTHON) tests/onec/check_package.py $(ONEC_ZIP) $(ONEC_BUILD)/pkg | tee $(ONEC_BUILD)/package.log
	LB_COMPONENT="$$(tail -n1 $(ONEC_BUILD)/package.log)" tests/onec/run.sh $(ONEC_HOST)
	$(suite-end)

TEST_TARGETS += test-onec
