//! nRF52840-DK (Cortex-M4F): runs the shared firmware. LED1 (P0.13, active low) acts out each
//! decision; the seed comes from the chip's hardware random number generator; the log goes out
//! over RTT (defmt), shown by `probe-rs run`.
#![no_std]
#![no_main]

use defmt_rtt as _;
use gumbel_firmware::app::ActiveLow;
use gumbel_firmware::board;
use nrf52840_hal::gpio::{Level, p0};
use nrf52840_hal::{Delay, Rng, pac};
use panic_probe as _;

#[cortex_m_rt::entry]
fn main() -> ! {
    let core = pac::CorePeripherals::take().expect("core peripherals are taken once, here");
    let peripherals = pac::Peripherals::take().expect("peripherals are taken once, here");
    let port0 = p0::Parts::new(peripherals.P0);
    let led1 = port0.p0_13.into_push_pull_output(Level::High).degrade();
    let seed = Rng::new(peripherals.RNG).random_u64();
    board::run(ActiveLow(led1), Delay::new(core.SYST), seed)
}
