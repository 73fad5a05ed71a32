//! QEMU `-M lm3s6965evb` (Cortex-M3): runs the shared firmware; logs plain text over semihosting.
#![no_std]
#![no_main]

/// SysTick's clock (the core clock under QEMU).
const SYSTICK_HZ: u32 = 12_500_000;

#[cortex_m_rt::entry]
fn main() -> ! {
    gumbel_firmware::qemu::main("lm3s6965evb (Cortex-M3)", SYSTICK_HZ)
}
