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

#[cfg(test)]
mod tests {
    use super::*;

    /// λ = 0 (either sign), negative, NaN and ±inf are refused; the smallest positive `f32` (a
    /// subnormal) and the largest are accepted and kept bit for bit.
    #[test]
    fn f32_accepts_exactly_the_finite_positive_values() {
        for bad in [
            0.0f32,
            -0.0,
            -1e-30,
            -1.0,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ] {
            assert_eq!(
                Temperature::new(bad),
                Err(Error::InvalidTemperature),
                "{bad}"
            );
        }
        for good in [f32::from_bits(1), f32::MIN_POSITIVE, 0.5, 1.0, f32::MAX] {
            assert_eq!(
                Temperature::new(good).map(|t| t.get().to_bits()),
                Ok(good.to_bits())
            );
        }
    }

    /// In fixed point the floor is `2^-10` (below it λ carries too few bits to divide by): one
    /// LSB under it is refused, the floor itself and `MAX` are accepted.
    #[cfg(feature = "fixed")]
    #[test]
    fn fixed_refuses_below_its_minimum() {
        use crate::Fixed;
        let floor = Fixed::from_bits(1 << 6);
        assert_eq!(Fixed::MIN_TEMPERATURE, floor);
        for bad in [
            Fixed::ZERO,
            Fixed::from_bits(63),
            Fixed::from_bits(-64),
            Fixed::LOWEST,
        ] {
            assert_eq!(
                Temperature::new(bad),
                Err(Error::InvalidTemperature),
                "{bad}"
            );
        }
        for good in [floor, Fixed::ONE, Fixed::MAX] {
            assert_eq!(Temperature::new(good).map(Temperature::get), Ok(good));
        }
    }
}
