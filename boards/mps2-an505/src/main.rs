//! QEMU `-M mps2-an505` (Cortex-M33): runs the shared firmware; logs plain text over semihosting.
#![no_std]
#![no_main]

/// SysTick's clock (the core clock under QEMU).
const SYSTICK_HZ: u32 = 20_000_000;

#[cortex_m_rt::entry]
fn main() -> ! {
    gumbel_firmware::qemu::main("mps2-an505 (Cortex-M33)", SYSTICK_HZ)
}
