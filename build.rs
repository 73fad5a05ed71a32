//! Tells the crate whether it is optimised for size (`opt-level = "s"` or `"z"`): it then
//! prefers the smaller of two forms that compute the same bits (`cfg(gumbel_small)`).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(gumbel_small)");
    println!("cargo::rerun-if-env-changed=OPT_LEVEL");
    let opt_level = std::env::var("OPT_LEVEL").unwrap_or_default();
    if opt_level == "s" || opt_level == "z" {
        println!("cargo::rustc-cfg=gumbel_small");
    }
}
