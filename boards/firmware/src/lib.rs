//! The one firmware program every board in `boards/` runs. A board crate adds only its glue
//! (memory map, runner, logger, pins) and calls into this crate:
//!
//! - [`suite`]: the on-target test suite — the pinned vectors of every sampler replayed and
//!   compared bit for bit with the host's tables, a chi-square smoke test of Gumbel-max against
//!   the softmax, and a check of the actuator application.
//! - [`bench`]: the entry points whose cost is reported (and a naive libm Gumbel-max as the
//!   baseline), shared by the instruction counter, the stack painter and the flash probe.
//! - [`learn`]: the learner trains the contextual bandit with every estimator and CartPole with
//!   RELAX, and must meet the benchmark's success criteria.
//! - [`app`]: the application real boards run: a Gumbel-max decision drives a GPIO pin through
//!   `embedded-hal` 1.0; [`board`]: the real boards' program, the suite then the application.
//! - `qemu` (feature `qemu`): the QEMU boards' `main` — suite, cost report, semihosting exit.
//!
//! Adding a scalar type (the fixed-point path) is one [`bench::Numeric`] impl plus one line in
//! [`suite::run`] and [`bench::entries`].
//!
//! On the host (`cargo test` in this folder) the crate links `std` and logs to stdout, so the
//! suite also runs here, on the same inputs.
#![cfg_attr(target_os = "none", no_std)]

#[cfg(all(
    target_os = "none",
    not(any(feature = "log-defmt", feature = "log-semihosting"))
))]
compile_error!("firmware on a chip needs a logger: enable `log-defmt` or `log-semihosting`");
#[cfg(all(feature = "log-defmt", feature = "log-semihosting"))]
compile_error!("choose one logger: `log-defmt` or `log-semihosting`, not both");

/// Prints one line through the board's logger. The format strings use only `{}` and `{:#x}`,
/// which `defmt` and `core::fmt` read the same way.
#[cfg(feature = "log-defmt")]
macro_rules! say {
    ($($arg:tt)*) => { defmt::println!($($arg)*) };
}
#[cfg(feature = "log-semihosting")]
macro_rules! say {
    ($($arg:tt)*) => { cortex_m_semihosting::hprintln!($($arg)*) };
}
#[cfg(not(any(feature = "log-defmt", feature = "log-semihosting")))]
macro_rules! say {
    ($($arg:tt)*) => { std::println!($($arg)*) };
}

pub mod app;
pub mod bench;
pub mod board;
pub mod learn;
#[cfg(feature = "qemu")]
pub mod qemu;
pub mod suite;

/// The seed every program here starts from (ASCII "firmw").
pub const SEED: u64 = 0x66_6972_6d77;
