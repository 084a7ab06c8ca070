//! The integration tests and benchmarks live in `all/` and `benches/`.
