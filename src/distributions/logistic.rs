//! The logistic distribution: location μ, scale β, CDF `σ(z) = 1/(1 + e^{−z})` with
//! `z = (x − μ)/β`.

use rand_core::Rng;

use super::{LocationScale, ratio};
use crate::scalar::{sigmoid, softplus};
use crate::{Error, Scalar};

/// The logistic distribution with location μ and scale β > 0: the law of `μ + β·L` for the
/// standard logistic noise `L = ln U − ln(1 − U)` that drives the binary Concrete.
///
/// With `z = (x − μ)/β`, every function is written in `e^{−|z|} ≤ 1`, so nothing overflows and
/// neither tail cancels:
///
/// | function | value | evaluated as |
/// |---|---|---|
/// | [`log_pdf`](Self::log_pdf) | `−ln β − z − 2 ln(1 + e^{−z})` | `−ln β − \|z\| − 2 ln_1p(e^{−\|z\|})` |
/// | [`pdf`](Self::pdf) | `e^{−z}/(β(1 + e^{−z})²)` | `e^{−\|z\|}/(β(1 + e^{−\|z\|})²)` |
/// | [`cdf`](Self::cdf), [`sf`](Self::sf) | `σ(z)`, `σ(−z)` | `1/(1 + e^{−\|z\|})`, or `e^{−\|z\|}` times it |
/// | [`log_cdf`](Self::log_cdf), [`log_sf`](Self::log_sf) | `−softplus(−z)`, `−softplus(z)` | `softplus(a) = max(a, 0) + ln_1p(e^{−\|a\|})` |
/// | [`quantile`](Self::quantile) | `μ + β·ln(u/(1 − u))` | four branches, none cancelling (see there) |
///
/// ```
/// use gumbel::distributions::Logistic;
/// let l = Logistic::new(0.0f32, 1.0)?;
/// assert_eq!(l.cdf(0.0)?, 0.5);
/// assert!((l.log_sf(-60.0)? + 8.7565e-27).abs() < 1e-31); // −e^{−60}: the tail keeps its digits
/// assert_eq!(l.quantile(0.5)?, 0.0);
/// # Ok::<(), gumbel::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Logistic<S> {
    parameters: LocationScale<S>,
}

location_scale_family!(Logistic, "logistic");

impl<S: Scalar> Logistic<S> {
    /// `ln p(x) = −ln β − |z| − 2 ln_1p(e^{−|z|})`.
    ///
    /// Error bound: `5u` relative in `f32`; 2.05 LSB in fixed point (twice the `ln_1p` of a
    /// rounded exponential).
    pub fn log_pdf(&self, x: S) -> Result<S, Error> {
        self.parameters.evaluate(x, S::LN_ZERO, S::LN_ZERO, |z| {
            let a = z.abs();
            let two = S::ONE + S::ONE;
            -a - two * (-a).exp().ln_1p() - self.parameters.ln_scale
        })
    }

    /// `p(x) = e^{−|z|}/(β(1 + e^{−|z|})²)`.
    ///
    /// Error bound: `8u` relative in `f32`; 1 LSB in fixed point.
    pub fn pdf(&self, x: S) -> Result<S, Error> {
        self.parameters.evaluate(x, S::ZERO, S::ZERO, |z| {
            let e = (-z.abs()).exp();
            let one_plus = S::ONE + e;
            e / (one_plus * one_plus) / self.parameters.scale
        })
    }

    /// `P(X ≤ x) = σ(z)`, with full relative accuracy in the lower tail (`≈ e^{z}`).
    ///
    /// Error bound: `6u` relative in `f32`; 1 LSB in fixed point.
    pub fn cdf(&self, x: S) -> Result<S, Error> {
        self.parameters.evaluate(x, S::ZERO, S::ONE, sigmoid)
    }

    /// `ln P(X ≤ x) = −softplus(−z)`, with full relative accuracy in the upper tail
    /// (`≈ −e^{−z}`), where the CDF rounds to 1.
    ///
    /// Error bound: `5u` relative in `f32`; 1.05 LSB in fixed point.
    pub fn log_cdf(&self, x: S) -> Result<S, Error> {
        self.parameters
            .evaluate(x, S::LN_ZERO, S::ZERO, |z| -softplus(-z))
    }

    /// The survival function `P(X > x) = σ(−z)`, with full relative accuracy in the upper tail
    /// (`≈ e^{−z}`), where `1 − cdf` would cancel to 0.
    ///
    /// Error bound: `6u` relative in `f32`; 1 LSB in fixed point.
    pub fn sf(&self, x: S) -> Result<S, Error> {
        self.parameters
            .evaluate(x, S::ONE, S::ZERO, |z| sigmoid(-z))
    }

    /// `ln P(X > x) = −softplus(z)`, with full relative accuracy in the lower tail
    /// (`≈ −e^{z}`), where the survival function rounds to 1.
    ///
    /// Error bound: `5u` relative in `f32`; 1.05 LSB in fixed point.
    pub fn log_sf(&self, x: S) -> Result<S, Error> {
        self.parameters
            .evaluate(x, S::ZERO, S::LN_ZERO, |z| -softplus(z))
    }

    /// The quantile function (inverse CDF) at a given uniform `u`: `μ + β·ln(u/(1 − u))`.
    ///
    /// `u` must lie in `[0, 1]` ([`Error::Nan`], [`Error::OutsideSupport`]); `u = 0` gives
    /// `−inf` and `u = 1` gives `+inf` (`LOWEST` and `MAX` in fixed point); inside, a quantile
    /// beyond the finite range (an overflowing `μ + β·q`) is clamped to it. The standard
    /// quantile is `ln u − ln_1p(−u)` below 1/4, `−ln_1p((1 − 2u)/u)` up to 1/2,
    /// `ln_1p((2u − 1)/(1 − u))` up to 3/4 and `ln_1p(u − 1) − ln(1 − u)` above: every
    /// difference formed there is exact in `f32`, and nothing cancels, so the relative
    /// accuracy holds at the zero `u = 1/2` too.
    ///
    /// Error bound: `5u` relative in `f32`; 1.05 LSB in fixed point.
    ///
    /// To *sample*, prefer [`sample`](Self::sample): a uniform of 24 bits (or fixed point's 16)
    /// stops the tails early, the noise kernels resolve them to `2^-33`.
    pub fn quantile(&self, u: S) -> Result<S, Error> {
        self.parameters.quantile(u, |u| {
            let quarter = ratio::<S>(1, 4);
            let two_u = u + u;
            if u < quarter {
                u.ln() - (-u).ln_1p()
            } else if u < S::HALF {
                -((S::ONE - two_u) / u).ln_1p()
            } else if u <= S::ONE - quarter {
                ((two_u - S::ONE) / (S::ONE - u)).ln_1p()
            } else {
                (u - S::ONE).ln_1p() - (S::ONE - u).ln()
            }
        })
    }

    /// A variate `μ + β·L` from one random word, `L` the standard logistic noise of
    /// [`noise::logistic`](crate::noise::logistic) (for the standard distribution, exactly its
    /// bits), clamped to the finite range.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> S {
        self.parameters
            .variate(S::logistic_from_word(rng.next_u32()))
    }
}
