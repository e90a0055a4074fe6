# Release builds of the 1C component and the C library for the platforms 1C runs on, made
# on this Linux machine from Debian's and PyPI's packages alone (issue 15), and their tests.
#
#   make cross-deps        Debian's rustc-web/cargo-web/rust-web-src, mingw-w64, wine64, and
#                          ziglang + cargo-zigbuild in .venv (each only when missing)
#   make cross-linux217    the component and the C library for Linux x86_64, glibc >= 2.17
#   make cross-win64       … for Windows x86_64 (Windows 10 and later)
#   make cross-win32       … for Windows x86 (32-bit 1C clients)
#   make cross-win7-64, cross-win7-32
#                          … for Windows 7/8.1 (x86_64-win7-windows-gnu, i686-win7-windows-gnu)
#   make onec-package-win7 dist/LogiBridge-win7.zip: the Linux library and the Windows 7 DLLs
#   make c-package         dist/logibridge-c-{windows-x86_64,windows-x86}.zip and
#                          dist/logibridge-c-linux-x86_64-glibc2.17.tar.gz
#   make package           both (onec-package and c-package)
#   make test-package      make test's own packages, of what it can run here (below)
#   make test-windows      the 1C host harness under wine against the DLLs of make test's
#                          LogiBridge.zip, and the C tests that do not fork against the packaged
#                          logibridge.dll (part of make test)
#
# Each target is built once, into its own directory under target/ (cargo's --target layout:
# target/<triple>/$(ONEC_PROFILE)/), both crates in one cargo run so their shared
# dependencies compile once; `make onec-package` and `make c-package` only pick files up.
#
# Windows: rustup cannot fetch targets here, so Debian's rustc-web (1.96; the workspace needs
# 1.85) builds the standard library itself from rust-web-src (`-Zbuild-std`, hence
# RUSTC_BOOTSTRAP=1; panic_unwind because every FFI entry point catches panics) and links
# with mingw-w64's gcc. Only these builds use /usr/bin's cargo and rustc; everything else
# keeps rustup's toolchain. i686's startup objects rsbegin.o/rsend.o are not in Debian's
# package: they are compiled once from the library's sources.
# Linux: `cargo zigbuild` links against glibc 2.17's symbols (zig's libc stubs) with the
# usual toolchain, so the library loads on RHEL 7 / Astra Linux SE 1.7 and newer.

CROSS_PACKAGES := -p logibridge-1c -p logibridge-ffi --lib
WIN64_TRIPLE := x86_64-pc-windows-gnu
WIN32_TRIPLE := i686-pc-windows-gnu
LINUX_TRIPLE := x86_64-unknown-linux-gnu
WIN64_DIR := $(CARGO_TARGET_DIR)/$(WIN64_TRIPLE)/$(ONEC_PROFILE)
WIN32_DIR := $(CARGO_TARGET_DIR)/$(WIN32_TRIPLE)/$(ONEC_PROFILE)
LINUX217_DIR := $(CARGO_TARGET_DIR)/$(LINUX_TRIPLE)/$(ONEC_PROFILE)
RUST_WEB_SRC := /usr/lib/rustlib/src/rust
RTSTARTUP_DIR := $(CARGO_TARGET_DIR)/$(WIN32_TRIPLE)/rtstartup
# Debian's toolchain first on PATH for the Windows builds (cc-rs finds mingw's gcc there too);
# RUSTFLAGS from outside would override the per-target flags below, so it is unset.
WIN_CARGO := env -u RUSTFLAGS PATH=/usr/bin:$$PATH RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 /usr/bin/cargo
WIN_BUILD_STD := -Zbuild-std=std,panic_unwind
ZIG_PINS := "ziglang==0.15.2" "cargo-zigbuild==0.24.1"
CROSS_DEBS := rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 \
	g++-mingw-w64-x86-64-posix g++-mingw-w64-i686-posix wine64

.PHONY: zig-deps cross-deps win-deps wine32-deps cross-linux217 cross-win64 cross-win32 cross-win7-64 cross-win7-32 onec-package-win7 c-package package test-package test-windows

# ziglang and cargo-zigbuild alone: all the Linux build needs (make test builds only that one).
zig-deps: | $(VPY)
	@$(VENV)/bin/cargo-zigbuild --version >/dev/null 2>&1 || { echo "== installing $(ZIG_PINS) into .venv"; $(VPY) -m pip install --quiet $(ZIG_PINS); }

# The Windows builds need only Debian's packages (not zig): apart, cross-win64 is ready to
# start as soon as they are, without waiting for the .venv's pip installs.
cross-deps: win-deps zig-deps

win-deps: c-deps
	@missing=""; \
	for p in $(CROSS_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "== installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# wine32 runs the x86 DLL. It comes from Debian's i386 architecture, whose package index may
# be unavailable (a mirror in the middle of a sync): then the architecture is taken back out
# (a broken index would fail every later `apt-get update`) and the reason is printed;
# test-windows says the x86 DLL was not run.
wine32-deps: win-deps
	@if [ ! -x /usr/lib/wine/wine ]; then \
		echo "== installing wine32:i386 (Debian's i386 architecture)"; \
		dpkg --add-architecture i386; \
		if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wine32:i386; then :; else \
			echo "== wine32:i386 could not be installed (the i386 package index is unavailable here): the x86 DLL will not be run"; \
			dpkg --remove-architecture i386 2>/dev/null; apt-get update -qq || true; \
		fi; \
	fi

cross-linux217: zig-deps
	+PATH=$(VENV)/bin:$$PATH $(VENV)/bin/cargo-zigbuild build --locked $(CROSS_PACKAGES) --profile $(ONEC_PROFILE) $(ONEC_PROFILE_CONFIG) \
		--target $(LINUX_TRIPLE).2.17

cross-win64: win-deps
	+$(WIN_CARGO) build --locked $(CROSS_PACKAGES) --profile $(ONEC_PROFILE) $(ONEC_PROFILE_CONFIG) $(WIN_BUILD_STD) --target $(WIN64_TRIPLE)

$(RTSTARTUP_DIR)/rsbegin.o: | win-deps
	@mkdir -p $(RTSTARTUP_DIR)
	for f in rsbegin rsend; do \
		RUSTC_BOOTSTRAP=1 /usr/bin/rustc --target $(WIN32_TRIPLE) --emit=obj -C panic=abort -C opt-level=2 \
			-o $(RTSTARTUP_DIR)/$$f.o $(RUST_WEB_SRC)/library/rtstartup/$$f.rs || exit 1; \
	done

cross-win32: win-deps $(RTSTARTUP_DIR)/rsbegin.o
	+$(WIN_CARGO) build --locked $(CROSS_PACKAGES) --profile $(ONEC_PROFILE) $(ONEC_PROFILE_CONFIG) $(WIN_BUILD_STD) --target $(WIN32_TRIPLE) \
		--config 'target.$(WIN32_TRIPLE).rustflags=["-L", "native=$(RTSTARTUP_DIR)"]'

# Windows 7/8.1: the regular targets' standard library needs Windows 10 (it takes random
# numbers from ProcessPrng in bcryptprimitives.dll). The win7 targets build the same way, into
# their own directories; MANIFEST.XML cannot tell Windows versions apart (its `os` is
# "Windows", nothing more), so their DLLs go into a template of their own,
# dist/LogiBridge-win7.zip, with the same Linux library. The win7 DLLs use only what Windows 10
# also has (not run on a real Windows 10 here); the checks refuse a DLL importing what
# Windows 7 lacks (tools/shipped_binaries.py).
WIN7_64_TRIPLE := x86_64-win7-windows-gnu
WIN7_32_TRIPLE := i686-win7-windows-gnu
ONEC_DLL7_64 := $(CARGO_TARGET_DIR)/$(WIN7_64_TRIPLE)/$(ONEC_PROFILE)/logibridge_1c.dll
ONEC_DLL7_32 := $(CARGO_TARGET_DIR)/$(WIN7_32_TRIPLE)/$(ONEC_PROFILE)/logibridge_1c.dll
cross-win7-64: win-deps
	+$(WIN_CARGO) build --locked $(CROSS_PACKAGES) --profile $(ONEC_PROFILE) $(ONEC_PROFILE_CONFIG) $(WIN_BUILD_STD) --target $(WIN7_64_TRIPLE) \
		--config 'target.$(WIN7_64_TRIPLE).linker="x86_64-w64-mingw32-gcc"'
cross-win7-32: win-deps $(RTSTARTUP_DIR)/rsbegin.o
	+$(WIN_CARGO) build --locked $(CROSS_PACKAGES) --profile $(ONEC_PROFILE) $(ONEC_PROFILE_CONFIG) $(WIN_BUILD_STD) --target $(WIN7_32_TRIPLE) \
		--config 'target.$(WIN7_32_TRIPLE).linker="i686-w64-mingw32-gcc"' \
		--config 'target.$(WIN7_32_TRIPLE).rustflags=["-L", "native=$(RTSTARTUP_DIR)"]'
onec-package-win7: cross-linux217 cross-win7-64 cross-win7-32
	$(PYTHON) onec/package.py --windows7 --so $(ONEC_SO) --dll-x86_64 $(ONEC_DLL7_64) --dll-i386 $(ONEC_DLL7_32) --out dist/LogiBridge-win7.zip
	$(PYTHON) tests/onec/check_package.py dist/LogiBridge-win7.zip $(CARGO_TARGET_DIR)/package-check/onec-win7 || { rm -f dist/LogiBridge-win7.zip; exit 1; }

# ---------------------------------------------------------------- the C library's archives
c-package: cross-linux217 cross-win64 cross-win32
	$(PYTHON) ffi-c/package.py --header include/logibridge.h --out-dir dist \
		--linux-so $(LINUX217_DIR)/liblogibridge.so \
		--win64-dir $(WIN64_DIR) --win32-dir $(WIN32_DIR)

package: onec-package c-package

# ---------------------------------------------------------------- make test's packages
# make test builds, packages and runs what it can run here, from the same cross builds as
# make package (one build per target): the Linux libraries (glibc 2.17) and the Windows x86_64
# ones, and the Windows x86 ones when wine32 is installed or can be (wine32-deps). Without
# wine32 the x86 DLL is neither built nor run by make test, and this says so; make
# onec-package and make c-package build it and check its PE machine, exports and imports
# (the packagers refuse a library unfit to ship: tools/shipped_binaries.py). Both packages are
# written under tests/, so that a test run never leaves a partial dist/.
WINE32 := /usr/lib/wine/wine
C_TEST_DIST := tests/c/build-windows/dist
test-package: cross-win64 cross-linux217 wine32-deps
	+@if [ -x $(WINE32) ]; then $(MAKE) --no-print-directory cross-win32; else \
		echo "== make test: the Windows x86 (i386) DLLs are NOT built or run: wine32 is not installed (wine32-deps above says why); make onec-package / make c-package build them and check the files (PE machine, exports, imports)"; fi
	@mkdir -p $(ONEC_BUILD) $(C_TEST_DIST)
	$(PYTHON) onec/package.py --so $(ONEC_SO) --dll-x86_64 $(ONEC_DLL64) \
		$$([ -x $(WINE32) ] && echo --dll-i386 $(ONEC_DLL32)) --out $(ONEC_TEST_ZIP)
	set -o pipefail; $(PYTHON) tests/onec/check_package.py $(ONEC_TEST_ZIP) $(ONEC_BUILD)/pkg \
		--require Linux-x86_64,Windows-x86_64$$([ -x $(WINE32) ] && echo ,Windows-i386) | tee $(ONEC_BUILD)/package.log
	$(PYTHON) ffi-c/package.py --header include/logibridge.h --out-dir $(C_TEST_DIST) \
		--linux-so $(LINUX217_DIR)/liblogibridge.so --win64-dir $(WIN64_DIR)

# ---------------------------------------------------------------- the Windows host under wine
# host.cpp cross-compiled per architecture (static: no mingw runtime DLL beside it), with the
# test-only ProcessPrng shim (tests/onec/prng_shim.c) in the same folder.
WIN_HOST_FLAGS := -std=c++17 -Wall -Wextra -Werror -O0 -g -D__USE_MINGW_ANSI_STDIO=1 -static
$(ONEC_BUILD)/win-x86_64/host.exe: tests/onec/host.cpp | win-deps
	@mkdir -p $(@D)
	x86_64-w64-mingw32-g++-posix $(WIN_HOST_FLAGS) -o $@ $< -lws2_32
$(ONEC_BUILD)/win-i386/host.exe: tests/onec/host.cpp | win-deps
	@mkdir -p $(@D)
	i686-w64-mingw32-g++-posix $(WIN_HOST_FLAGS) -o $@ $< -lws2_32
$(ONEC_BUILD)/win-x86_64/bcryptprimitives.dll: tests/onec/prng_shim.c | win-deps
	@mkdir -p $(@D)
	x86_64-w64-mingw32-gcc -shared -O2 -Wall -Werror -o $@ $< -lbcrypt
# stdcall names are decorated on x86 (ProcessPrng@8): --kill-at exports the plain name.
$(ONEC_BUILD)/win-i386/bcryptprimitives.dll: tests/onec/prng_shim.c | win-deps
	@mkdir -p $(@D)
	i686-w64-mingw32-gcc -shared -O2 -Wall -Werror -Wl,--kill-at -o $@ $< -lbcrypt

WIN_HOSTS := $(foreach a,x86_64 i386,$(ONEC_BUILD)/win-$(a)/host.exe $(ONEC_BUILD)/win-$(a)/bcryptprimitives.dll)

# The package check (exports, imports, PE machine, glibc baseline) ran in test-package; each DLL
# its manifest names is run here, then the C programs against the packaged Windows DLL and,
# natively, against the packaged glibc-2.17 liblogibridge.so. run_windows.sh's status 3 is "wine32 missing": reported,
# never a silent pass. The x86_64 host runs first, then the C programs: they share the wine
# prefix's wineserver.
TEST_TARGETS += test-windows
test-windows: build test-package $(WIN_HOSTS)
	$(suite-start)
	tests/onec/run_windows.sh $(ONEC_BUILD)/win-x86_64/host.exe \
		"$$(sed -n 's/^check_package: extracted Windows x86_64 //p' $(ONEC_BUILD)/package.log)" x86_64
	@dll="$$(sed -n 's/^check_package: extracted Windows i386 //p' $(ONEC_BUILD)/package.log)"; \
	if [ -z "$$dll" ]; then echo "== test-windows: the Windows x86 (i386) DLL was NOT run: wine32 is missing (see test-package)"; else \
		status=0; tests/onec/run_windows.sh $(ONEC_BUILD)/win-i386/host.exe "$$dll" i386 || status=$$?; \
		if [ $$status = 3 ]; then echo "== test-windows: the Windows x86 (i386) DLL was NOT run: wine32 is missing (see above)"; \
		elif [ $$status != 0 ]; then exit $$status; fi; fi
	tests/c/run_windows.sh $(C_TEST_DIST)/logibridge-c-windows-x86_64.zip
	@echo "== test-windows: the C library on Windows x86 (i386) is not run (tests/c/run_windows.sh is x86_64 only)"
	@echo "== the packaged Linux C library (glibc 2.17): the dynamic C programs, natively, against the .so from its archive"
	rm -rf $(C_TEST_DIST)/linux && mkdir -p $(C_TEST_DIST)/linux
	tar -xzf $(C_TEST_DIST)/logibridge-c-linux-x86_64-glibc2.17.tar.gz -C $(C_TEST_DIST)/linux
	LB_C_LIB_DIR=$(CURDIR)/$(C_TEST_DIST)/linux LB_C_CHECK=none LB_C_STATIC=0 LB_C_BUILD=$(CURDIR)/tests/c/build-windows/linux217 \
		DEBUG_DIR=$(DEBUG_DIR) bash tests/c/run.sh
	$(suite-end)
