//! Temperature schedules for training with relaxed samples: a constant λ, or the exponential
//! decay with a floor of Jang et al. (2017), `λ_t = max(floor, λ_0 e^{−r t})` (they used
//! `λ_0 = 1`, `floor = 0.5`), and explicit setting. Every temperature handed out is a validated
//! [`Temperature`]; invalid settings are [`Error::InvalidTemperature`] /
//! [`Error::InvalidParameter`].

use crate::{Error, Scalar, Temperature};

/// A temperature as a function of the training step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Schedule<S> {
    /// The same λ at every step.
    Constant(Temperature<S>),
    /// `max(floor, initial · e^{−rate · step})`.
    ExponentialDecay {
        /// λ at step 0.
        initial: Temperature<S>,
        /// The decay rate `r ≥ 0` per step.
        rate: S,
        /// The smallest λ ever returned.
        floor: Temperature<S>,
    },
}

impl<S: Scalar> Schedule<S> {
    /// A constant schedule; λ must be finite and positive.
    pub fn constant(lambda: S) -> Result<Self, Error> {
        Ok(Self::Constant(Temperature::new(lambda)?))
    }

    /// Exponential decay from `initial` at rate `rate` (finite, ≥ 0, else
    /// [`Error::InvalidParameter`]) down to `floor`. Both temperatures must be finite and
    /// positive.
    pub fn exponential_decay(initial: S, rate: S, floor: S) -> Result<Self, Error> {
        let initial = Temperature::new(initial)?;
        let floor = Temperature::new(floor)?;
        if !rate.is_finite() || rate < S::ZERO {
            return Err(Error::InvalidParameter);
        }
        Ok(Self::ExponentialDecay {
            initial,
            rate,
            floor,
        })
    }

    /// The temperature at training step `step`.
    pub fn at(&self, step: u32) -> Temperature<S> {
        match *self {
            Self::Constant(lambda) => lambda,
            Self::ExponentialDecay {
                initial,
                rate,
                floor,
            } => {
                let t = S::from_i32(i32::try_from(step).unwrap_or(i32::MAX));
                // rate·t ≥ 0, so the exponential lies in [0, 1]; a product that underflows to
                // 0 (or is not finite) simply leaves the floor.
                let decayed = initial.get() * (-(rate * t)).exp();
                Temperature::new(decayed.max(floor.get())).unwrap_or(floor)
            }
        }
    }

    /// Replaces the schedule by the constant `lambda` from now on.
    pub fn set(&mut self, lambda: S) -> Result<(), Error> {
        *self = Self::constant(lambda)?;
        Ok(())
    }
}
