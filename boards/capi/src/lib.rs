//! The C interface of [`gumbel`]: Gumbel-max, Gumbel-top-k, Concrete and binary Concrete
//! samples and densities, straight-through, the Concrete VJP and the learner, as plain C
//! functions over caller-owned buffers, in `float` (`_f32`) and in Q16.16 fixed point
//! (`_fixed`, an `int32_t` holding the value times 65536, `gumbel::Fixed`). Built as a static
//! library; `include/gumbel.h` is generated from this crate by cbindgen.
//!
//! The rules every function follows (status codes, NULL, alignment, overlap, masks, what the
//! caller must guarantee) head the generated header; they are written in `cbindgen.toml`.
//!
//! Every `unsafe` block in this crate turns a checked pointer into a reference (module
//! `memory`) or reads an agent through the header this library wrote (module `agent`); each
//! states the precondition it relies on.

#![no_std]

// Hosted targets (the host tests) take the panic handler from std; the library never panics
// by design, and on bare metal the handler below only stops the core.
#[cfg(not(target_os = "none"))]
extern crate std;

mod agent;
mod memory;
mod rng;
mod samplers;
mod scalar;
mod status;

pub use agent::*;
pub use rng::*;
pub use samplers::*;
pub use status::*;

/// Never reached by a call that returns (no function of this library panics on any input);
/// if it were, the core stops here rather than return garbage to C.
#[cfg(target_os = "none")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
