//! Unit tests of the keyset steps and the filter text.
