//! No code: this crate's dependencies give the demo's build the features
//! the workspace's test build turns on, so both compile each dependency
//! once (see its Cargo.toml).
