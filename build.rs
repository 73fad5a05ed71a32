//! Tells the crate how it is built, so that it prefers, of two forms that compute the same
//! bits, the one that is smaller or shallower there:
//! - `cfg(gumbel_small)`: optimised for size (`opt-level = "s"` or `"z"`);
//! - `cfg(gumbel_soft_float_speed)`: for an Arm core without an FPU (an `f32` operation is a
//!   library call), not optimised for size: `f32`'s `SOFT_FLOAT_SPEED`, as a condition on
//!   items (`#[cfg]`) where a constant cannot be one.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(gumbel_small)");
    println!("cargo::rustc-check-cfg=cfg(gumbel_soft_float_speed)");
    println!("cargo::rerun-if-env-changed=OPT_LEVEL");
    let opt_level = std::env::var("OPT_LEVEL").unwrap_or_default();
    let small = opt_level == "s" || opt_level == "z";
    if small {
        println!("cargo::rustc-cfg=gumbel_small");
    }
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let abi = std::env::var("CARGO_CFG_TARGET_ABI").unwrap_or_default();
    if arch == "arm" && abi != "eabihf" && !small {
        println!("cargo::rustc-cfg=gumbel_soft_float_speed");
    }
}
