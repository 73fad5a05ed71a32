//! A validated temperature λ.

use crate::{Error, Scalar};

/// A temperature λ of a Concrete relaxation, checked once to be finite and strictly positive.
///
/// Small λ makes relaxed samples nearly one-hot; large λ makes them nearly uniform. Functions
/// take a `Temperature` rather than a bare number so that λ = 0, negative, NaN or infinite is
/// refused once, here, with [`Error::InvalidTemperature`].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Temperature<S>(S);

impl<S: Scalar> Temperature<S> {
    /// Checks `lambda`: it must be finite and at least [`Scalar::MIN_TEMPERATURE`] (for `f32`,
    /// any positive value).
    pub fn new(lambda: S) -> Result<Self, Error> {
        if lambda.is_nan() || !lambda.is_finite() || lambda < S::MIN_TEMPERATURE {
            Err(Error::InvalidTemperature)
        } else {
            Ok(Self(lambda))
        }
    }

    /// The value of λ.
    #[inline]
    pub fn get(self) -> S {
        self.0
    }
}
