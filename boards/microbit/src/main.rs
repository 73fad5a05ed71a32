//! QEMU `-M microbit` (Cortex-M0): runs the shared firmware; logs plain text over semihosting.
#![no_std]
#![no_main]

/// SysTick's clock (the core clock under QEMU).
const SYSTICK_HZ: u32 = 16_000_000;

#[cortex_m_rt::entry]
fn main() -> ! {
    gumbel_firmware::qemu::main("microbit (Cortex-M0)", SYSTICK_HZ)
}
