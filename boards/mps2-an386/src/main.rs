//! QEMU `-M mps2-an386` (Cortex-M4F): runs the shared firmware; logs defmt over semihosting, decoded by defmt-print.
#![no_std]
#![no_main]

use defmt_semihosting as _;

/// SysTick's clock (the core clock under QEMU).
const SYSTICK_HZ: u32 = 25_000_000;

#[cortex_m_rt::entry]
fn main() -> ! {
    gumbel_firmware::qemu::main("mps2-an386 (Cortex-M4F)", SYSTICK_HZ)
}
