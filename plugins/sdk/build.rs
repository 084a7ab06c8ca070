//! Embeds the WIT contract into the SDK's export macros, so that a plugin
//! crate needs neither the `.wit` files nor wit-bindgen of its own.

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let wit = manifest.join("../../wit/v0.1/plugin.wit");
    let template = manifest.join("src/export_macros.rs.in");
    println!("cargo:rerun-if-changed={}", wit.display());
    println!("cargo:rerun-if-changed={}", template.display());
    let wit_text = fs::read_to_string(&wit).expect("read wit/v0.1/plugin.wit");
    let template_text = fs::read_to_string(&template).expect("read export_macros.rs.in");
    let out = template_text.replace("__NUMBOT_WIT__", &format!("{wit_text:?}"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    fs::write(out_dir.join("export_macros.rs"), out).expect("write export_macros.rs");
}
