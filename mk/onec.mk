# The 1C:Enterprise Native API component (onec/): liblogibridge_1c.so, its configuration
# template dist/LogiBridge.zip, and the host harness (tests/onec/) that loads the packaged
# library the way the platform does, under valgrind, against the sandbox.
#
#   make onec-package   dist/LogiBridge.zip (MANIFEST.XML + the library; debug profile)
#   make test-onec      package, check the ZIP, run the harness on the packaged library

ONEC_SO := $(DEBUG_DIR)/liblogibridge_1c.so
ONEC_ZIP := dist/LogiBridge.zip
ONEC_BUILD := tests/onec/build
ONEC_HOST := $(ONEC_BUILD)/host
CXX ?= g++

.PHONY: onec-lib onec-package test-onec

onec-lib:
	$(CARGO) build --workspace $(CARGO_EXCLUDE)

onec-package: onec-lib
	$(PYTHON) onec/package.py --so $(ONEC_SO) --out $(ONEC_ZIP)

$(ONEC_HOST): tests/onec/host.cpp | c-deps
	@mkdir -p $(ONEC_BUILD)
	$(CXX) -std=c++17 -Wall -Wextra -Werror -O0 -g -o $@ $< -ldl -pthread

test-onec: build c-deps onec-package $(ONEC_HOST)
	$(PYTHON) tests/onec/check_package.py $(ONEC_ZIP) $(ONEC_BUILD)/pkg | tee $(ONEC_BUILD)/package.log
	LB_COMPONENT="$$(tail -n1 $(ONEC_BUILD)/package.log)" tests/onec/run.sh $(ONEC_HOST)

TEST_TARGETS += test-onec
