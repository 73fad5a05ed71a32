//! The committed header is what cbindgen generates from the current source.
//!
//! `GUMBEL_BLESS=1 cargo test --test header` rewrites `include/gumbel.h`; review the diff.

use std::path::Path;

#[test]
fn committed_header_is_up_to_date() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable");
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen parses the crate");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = crate_dir.join("include/gumbel.h");
    if std::env::var_os("GUMBEL_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("include/gumbel.h is writable");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/gumbel.h is out of date: run `GUMBEL_BLESS=1 cargo test --test header` in \
         boards/capi and commit the result"
    );
}
