//! Raspberry Pi Pico (RP2040, Cortex-M0+): runs the shared firmware. The on-board LED (GPIO25)
//! acts out each decision; the seed comes from the ring oscillator's random bit; the log goes out
//! over RTT (defmt), shown by `probe-rs run`.
#![no_std]
#![no_main]

use defmt_rtt as _;
use gumbel_firmware::board;
use panic_probe as _;
use rp2040_hal::{self as hal, pac};

/// The second-stage bootloader for the Pico's W25Q080 flash.
#[unsafe(link_section = ".boot2")]
#[used]
pub static BOOT2_FIRMWARE: [u8; 256] = rp2040_boot2::BOOT_LOADER_W25Q080;

/// The Pico's crystal.
const XTAL_FREQ_HZ: u32 = 12_000_000;

#[hal::entry]
fn main() -> ! {
    let mut p = pac::Peripherals::take().expect("peripherals are taken once, here");
    let mut watchdog = hal::Watchdog::new(p.WATCHDOG);
    let clocks = hal::clocks::init_clocks_and_plls(
        XTAL_FREQ_HZ,
        p.XOSC,
        p.CLOCKS,
        p.PLL_SYS,
        p.PLL_USB,
        &mut p.RESETS,
        &mut watchdog,
    )
    .expect("the Pico's 12 MHz crystal starts");
    let sio = hal::Sio::new(p.SIO);
    let pins = hal::gpio::Pins::new(p.IO_BANK0, p.PADS_BANK0, sio.gpio_bank0, &mut p.RESETS);
    let led = pins.gpio25.into_push_pull_output();
    let timer = hal::Timer::new(p.TIMER, &mut p.RESETS, &clocks);
    let rosc = hal::rosc::RingOscillator::new(p.ROSC).initialize();
    let seed = (0..64).fold(0u64, |seed, _| {
        (seed << 1) | u64::from(rosc.get_random_bit())
    });
    board::run(led, timer, seed)
}
