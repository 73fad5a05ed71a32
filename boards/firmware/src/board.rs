//! The program the real boards run: the on-target [`suite`] first, then the [`app`]lication —
//! decide and act forever. Apart from both, because the suite checks the application: the
//! imports run one way, `board` → `suite` → `app`.

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::OutputPin;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

use crate::app::{self, PAUSE_MS};
use crate::suite;

/// The real boards' program: runs the on-target [`suite`], then decides and acts forever,
/// logging each action. If the suite fails, the pin stays on (a steadily lit LED) and nothing
/// is decided. `seed` should come from the board's hardware random source.
pub fn run<P: OutputPin, D: DelayNs>(mut pin: P, mut delay: D, seed: u64) -> ! {
    say!("gumbel firmware: on-target suite");
    if suite::run().is_err() {
        say!("suite FAILED: the pin stays on, no decisions are made");
        let _ = pin.set_high();
        loop {
            delay.delay_ms(PAUSE_MS);
        }
    }
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    let logits = app::logits::<f32>();
    loop {
        match app::step(&mut rng, &logits, &mut pin, &mut delay) {
            Ok(action) => say!("action {}", action),
            Err(_) => {
                say!("step failed: retrying after a pause");
                delay.delay_ms(PAUSE_MS);
            }
        }
    }
}
