//! The application the real boards run: a policy over [`ACTIONS`] actions picks one by
//! Gumbel-max, and a GPIO pin acts it out — action `a` is `a + 1` pulses of [`PULSE_MS`] on and
//! [`PULSE_MS`] off, then a [`PAUSE_MS`] pause — through `embedded-hal` 1.0 traits only, so the
//! same code drives an nRF52840 pin, an RP2040 pin, or the recording pin of the on-target suite.
//! The real boards' program around it (suite first, then decide forever) is [`board`](crate::board):
//! the suite checks this application, so this module imports neither.

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{ErrorType, OutputPin};
use gumbel::{Scalar, categorical};
use rand_core::Rng;

/// The number of actions.
pub const ACTIONS: usize = 4;

/// The policy's logits in quarters: `[0, 0.5, 1, 1.5]`, so the actions are drawn with
/// probabilities `softmax ≈ [0.10, 0.17, 0.28, 0.46]`.
pub const LOGIT_QUARTERS: [i32; ACTIONS] = [0, 2, 4, 6];

/// How long each pulse is on, and each gap off, in milliseconds.
pub const PULSE_MS: u32 = 150;

/// The pause after each action, in milliseconds.
pub const PAUSE_MS: u32 = 1000;

/// The policy's logits in scalar type `S` (exact in `f32` and in fixed point).
pub fn logits<S: Scalar>() -> [S; ACTIONS] {
    let quarter = S::ONE / S::from_i32(4);
    LOGIT_QUARTERS.map(|q| S::from_i32(q) * quarter)
}

/// What stopped a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepError<E> {
    /// The sampler refused the logits.
    Sampler(gumbel::Error),
    /// The pin could not be driven.
    Pin(E),
}

/// One decision and its actuation: draws an action from `softmax(logits)`, pulses `pin`
/// `action + 1` times, pauses, and returns the action.
pub fn step<S, R, P, D>(
    rng: &mut R,
    logits: &[S],
    pin: &mut P,
    delay: &mut D,
) -> Result<usize, StepError<P::Error>>
where
    S: Scalar,
    R: Rng + ?Sized,
    P: OutputPin,
    D: DelayNs,
{
    let action = categorical::sample(rng, logits).map_err(StepError::Sampler)?;
    for _ in 0..=action {
        pin.set_high().map_err(StepError::Pin)?;
        delay.delay_ms(PULSE_MS);
        pin.set_low().map_err(StepError::Pin)?;
        delay.delay_ms(PULSE_MS);
    }
    delay.delay_ms(PAUSE_MS);
    Ok(action)
}

/// A pin wired active-low (an LED between the supply and the pin, as on the nRF52840-DK):
/// "high" means lit, which drives the real pin low.
pub struct ActiveLow<P>(pub P);

impl<P: ErrorType> ErrorType for ActiveLow<P> {
    type Error = P::Error;
}

impl<P: OutputPin> OutputPin for ActiveLow<P> {
    fn set_high(&mut self) -> Result<(), Self::Error> {
        self.0.set_low()
    }

    fn set_low(&mut self) -> Result<(), Self::Error> {
        self.0.set_high()
    }
}
