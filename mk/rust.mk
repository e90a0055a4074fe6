# Rust demo: the scripted Carreta and iRECA scenarios through the core library against the embedded
# sandbox. (The Python face's demo replaces it as `make demo` when the package is built.)
.PHONY: demo-rust
demo-rust:
	$(CARGO) run --quiet -p logibridge --example demo
	$(CARGO) run --quiet -p logibridge --example ireca_demo
	$(CARGO) run --quiet -p logibridge --example cargorun_demo
