//! Models generated from the Swagger (filled in by the generator).
