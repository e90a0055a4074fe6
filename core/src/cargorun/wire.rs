//! The .NET JSON of CARGO.RUN (filled in by the models work).
