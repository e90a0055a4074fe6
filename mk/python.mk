# Python face (python/, pyproject.toml): the `logibridge` package — native module built
# with maturin from python/src (PyO3), pure-Python part in python/logibridge/.
#
#   make python-dev    build the wheel (dev profile, shared target dir) and install it into .venv
#   make test-python   stubtest on the installed package, mypy --strict on examples/python,
#                      pytest tests/python (against the embedded sandbox)
#   make demo-python   the Carreta and iRECA scenarios through the Python package (this is `make demo`)
#
# `pip install .` builds the release wheel the same way (maturin is the PEP 517 backend).

PY_WHEEL_DIR := $(CARGO_TARGET_DIR)/wheels-dev
# Pinned so that CI reruns see the same tools; everything lands in the repo venv.
PY_TOOLS := maturin==1.16.0 pytest==9.2.0 pytest-asyncio==1.5.0 pytest-timeout==2.4.0 mypy==2.4.1 typing-extensions==4.16.0
# The DataFrame paths' tests (tests/python/test_pricelist_arrow.py): pyarrow, polars and pandas
# are not dependencies of the package, only of its tests (wheels, ~7 s to install, ~250 MB).
PY_TOOLS += pyarrow==26.0.1 polars==2.1.0 pandas==3.1.1
PY_TOOLS_STAMP := $(VENV)/.logibridge-python-tools

.PHONY: python-tools python-dev test-python demo-python

TEST_TARGETS += test-python
DEMO_TARGET := demo-python
# The extension module is built by maturin (with PYO3_BUILD_EXTENSION_MODULE set), not by
# the workspace build: building it there too would compile it twice in two configurations.
# maturin's build of this one crate resolves the same features as the workspace build (the
# pins in python/Cargo.toml and bench/Cargo.toml), so it compiles only pyo3 and the crate.
CARGO_EXCLUDE += --exclude logibridge-python

$(PY_TOOLS_STAMP): mk/python.mk | $(VPY)
	$(VPY) -m pip install --quiet --disable-pip-version-check $(PY_TOOLS)
	touch $@

python-tools: $(PY_TOOLS_STAMP)

python-dev: $(PY_TOOLS_STAMP)
	rm -rf $(PY_WHEEL_DIR)
	+$(VENV)/bin/maturin build --quiet --profile dev --interpreter $(VPY) --out $(PY_WHEEL_DIR)
	$(VPY) -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps $(PY_WHEEL_DIR)/logibridge-*.whl

test-python: python-dev
	$(suite-start)
	$(VPY) -m mypy.stubtest logibridge --mypy-config-file pyproject.toml --allowlist python/stubtest-allowlist.txt
	$(VPY) -m mypy --strict --config-file pyproject.toml examples/python/
	$(VPY) -m pytest -q tests/python
	$(suite-end)

demo-python: python-dev
	$(VPY) examples/python/demo.py
	$(VPY) examples/python/ireca_demo.py
	$(VPY) examples/python/cargorun_demo.py
