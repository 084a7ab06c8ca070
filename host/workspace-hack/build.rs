//! Empty: Cargo resolves `[build-dependencies]` only for a package with a
//! build script, and those entries are this crate's point.
fn main() {}
