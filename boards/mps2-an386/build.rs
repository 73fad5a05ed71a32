//! Relinks when the memory map changes (the linker finds `memory.x` in this folder).
fn main() {
    println!("cargo:rerun-if-changed=memory.x");
}
