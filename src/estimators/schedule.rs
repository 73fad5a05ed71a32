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
    /// A constant schedule; λ must be a valid [`Temperature`] ([`Error::InvalidTemperature`]
    /// otherwise).
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

    /// The temperature at training step `step`: never fails, always a valid [`Temperature`],
    /// between the floor and the initial λ for a decay.
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

    /// Replaces the schedule by the constant `lambda` from now on; an invalid λ is
    /// [`Error::InvalidTemperature`] and leaves the schedule unchanged.
    pub fn set(&mut self, lambda: S) -> Result<(), Error> {
        *self = Self::constant(lambda)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperatures_and_schedules() {
        for bad in [0.0f32, -0.0, -1.0, f32::NAN, f32::INFINITY, -f32::INFINITY] {
            assert_eq!(Temperature::new(bad), Err(Error::InvalidTemperature));
            assert_eq!(Schedule::constant(bad), Err(Error::InvalidTemperature));
            assert_eq!(
                Schedule::exponential_decay(bad, 0.1, 0.5),
                Err(Error::InvalidTemperature)
            );
            assert_eq!(
                Schedule::exponential_decay(1.0, 0.1, bad),
                Err(Error::InvalidTemperature)
            );
            let mut s = Schedule::constant(1.0f32).unwrap();
            assert_eq!(s.set(bad), Err(Error::InvalidTemperature));
            assert_eq!(s.at(0).get(), 1.0);
        }
        for bad_rate in [-1e-3f32, f32::NAN, f32::INFINITY] {
            assert_eq!(
                Schedule::exponential_decay(1.0, bad_rate, 0.5),
                Err(Error::InvalidParameter)
            );
        }
        // Jang et al.: max(0.5, exp(-r t)), r = 1e-3; compare with f64 within 2 ulps.
        let s = Schedule::exponential_decay(1.0f32, 1e-3, 0.5).unwrap();
        for step in [0u32, 1, 10, 100, 500, 693, 694, 1000, 10_000, u32::MAX] {
            // f32 rounds r·t (≤ ε/2 relative, |r t| < 0.7 above the floor), e^x (1 ulp) and the
            // product with λ_0 = 1 (exact): within 2ε of the f64 value.
            let expected = (-(f64::from(1e-3f32) * f64::from(step))).exp().max(0.5);
            let got = f64::from(s.at(step).get());
            assert!(
                (got - expected).abs() <= 2.0 * f64::from(f32::EPSILON) * expected,
                "step {step}: {got} vs {expected}"
            );
        }
        let mut s = Schedule::constant(2.0f32).unwrap();
        assert_eq!(s.at(1_000_000).get(), 2.0);
        s.set(0.25).unwrap();
        assert_eq!(s.at(0).get(), 0.25);
        assert_eq!(s, Schedule::constant(0.25).unwrap());
    }
}
