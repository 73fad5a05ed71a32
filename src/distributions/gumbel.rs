//! The Gumbel distribution: location μ, scale β, CDF `exp(−e^{−z})` with `z = (x − μ)/β`.

use rand_core::Rng;

use super::{LocationScale, at_top, ratio};
use crate::{Error, Scalar};

/// The Gumbel distribution with location μ and scale β > 0: the law of `μ + β·G` for the
/// standard Gumbel noise `G = −ln(−ln U)` that drives Gumbel-max.
///
/// With `z = (x − μ)/β` and `t = e^{−z}`:
///
/// | function | value | how it keeps its accuracy |
/// |---|---|---|
/// | [`log_pdf`](Self::log_pdf) | `−ln β − z − t` | |
/// | [`pdf`](Self::pdf) | `t·e^{−t}/β` | `e^{−z−t}` where `t > 1` |
/// | [`cdf`](Self::cdf) | `exp(−t)` | |
/// | [`log_cdf`](Self::log_cdf) | `−t` | never `ln(cdf)`: −1.93e-22 at `z = 50`, where `ln(cdf)` is 0 |
/// | [`sf`](Self::sf) | `1 − exp(−t)` | `t·e^{s(t)}` for `t ≤ 1/2`, no cancellation |
/// | [`log_sf`](Self::log_sf) | `ln(1 − exp(−t))` | `−z + s(t)` for `t ≤ 1/2`; `ln_1p(−e^{−t})` above |
/// | [`quantile`](Self::quantile) | `μ − β·ln(−ln u)` | `−ln u` as `−ln_1p(u − 1)` above 1/2, a series near 1 |
///
/// where `s(t) = ln((1 − e^{−t})/t) = −t/2 + t²/24 − t⁴/2880 + t⁶/181440 − …` (truncated after
/// `t⁶`: below `4.1·10^-10` for `t ≤ 1/2`). Each function's documentation states its error
/// bound; the [module documentation](super) says what they are measured against and how they
/// are proven.
///
/// ```
/// use gumbel::distributions::Gumbel;
/// let g = Gumbel::new(0.0f32, 1.0)?;
/// assert_eq!(g.log_cdf(50.0)?, -1.9287499e-22); // exact: −e^{−50} = −1.92875e-22
/// assert!((g.cdf(0.0)? - 0.36787944).abs() < 1e-7); // e^{−1}
/// assert_eq!(Gumbel::new(0.0f32, 0.0), Err(gumbel::Error::InvalidParameter));
/// # Ok::<(), gumbel::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gumbel<S> {
    parameters: LocationScale<S>,
}

location_scale_family!(Gumbel, "Gumbel");

impl<S: Scalar> Gumbel<S> {
    /// `ln p(x) = −ln β − z − e^{−z}`.
    ///
    /// Error bound: `5u` relative in `f32` (the rounding of `e^{−z}`, up to `1.6×` amplified
    /// near `z = −1`, and of the sum); in fixed point the exponential's `0.5 + 2^-12` LSB plus
    /// `2^-30` relative of `e^{−z}` (at most 2.5 LSB), and the result saturates to `LOWEST`
    /// once `e^{−z}` exceeds the range (`z < −10.3972`; for the few dozen arguments next to
    /// that point the exact value is still in the range, at most 22 above `LOWEST`).
    pub fn log_pdf(&self, x: S) -> Result<S, Error> {
        self.parameters.evaluate(x, S::LN_ZERO, S::LN_ZERO, |z| {
            let t = (-z).exp();
            if at_top(t) {
                S::LN_ZERO
            } else {
                -z - t - self.parameters.ln_scale
            }
        })
    }

    /// `p(x) = e^{−z}·exp(−e^{−z}) / β`.
    ///
    /// Error bound: `(5 + 3t)·u` relative in `f32`, `t = e^{−z}` (the exponential of `−t`
    /// amplifies the rounding of `t`; `t < 92` wherever the result is not subnormal); 1 LSB in
    /// fixed point.
    pub fn pdf(&self, x: S) -> Result<S, Error> {
        self.parameters.evaluate(x, S::ZERO, S::ZERO, |z| {
            let t = (-z).exp();
            let standard = if at_top(t) {
                S::ZERO
            } else if t <= S::ONE {
                t * (-t).exp()
            } else {
                (-z - t).exp()
            };
            standard / self.parameters.scale
        })
    }

    /// `P(X ≤ x) = exp(−e^{−z})`.
    ///
    /// Error bound: `(2 + 2t)·u` relative in `f32`, `t = e^{−z} = −ln cdf` (`t < 88` wherever
    /// the result is not subnormal); 1 LSB in fixed point.
    pub fn cdf(&self, x: S) -> Result<S, Error> {
        self.parameters
            .evaluate(x, S::ZERO, S::ONE, |z| (-(-z).exp()).exp())
    }

    /// `ln P(X ≤ x) = −e^{−z}`, with full relative accuracy in the upper tail, where the CDF
    /// rounds to 1: −1.93e-22 at `z = 50`.
    ///
    /// Error bound: `2u` relative in `f32`; in fixed point `0.5 + 2^-12` LSB plus `2^-30`
    /// relative (at most 2.5 LSB, in the lower tail), saturating to `LOWEST + 1 LSB` below
    /// `z = −10.3972`.
    pub fn log_cdf(&self, x: S) -> Result<S, Error> {
        self.parameters
            .evaluate(x, S::LN_ZERO, S::ZERO, |z| -(-z).exp())
    }

    /// The survival function `P(X > x) = 1 − exp(−e^{−z})`, with full relative accuracy in the
    /// upper tail (`≈ e^{−z}`), where `1 − cdf` would cancel to 0.
    ///
    /// Error bound: `6u` relative in `f32`; 2 LSB in fixed point.
    pub fn sf(&self, x: S) -> Result<S, Error> {
        self.parameters.evaluate(x, S::ONE, S::ZERO, |z| {
            let t = (-z).exp();
            if t <= S::HALF {
                t * ln_expm1_ratio(t).exp()
            } else {
                S::ONE - (-t).exp()
            }
        })
    }

    /// `ln P(X > x) = ln(1 − exp(−e^{−z}))`: `−z + s(t)` in the upper tail (never the logarithm
    /// of a rounded survival function), `ln_1p(−exp(−e^{−z}))` in the lower tail, where it is
    /// tiny.
    ///
    /// Error bound: in `f32`, `2u` relative where `t = e^{−z} ≤ 1/2` (`z ≥ ln 2`), and
    /// `2u·(1 + (1 + t)/(1 − e^{−t}))` below (9.7u at `t = 1/2`; the rounding of `t` is amplified
    /// by `t` in the lower tail, where `log_sf ≈ −e^{−t}`); 3 LSB in fixed point.
    pub fn log_sf(&self, x: S) -> Result<S, Error> {
        self.parameters.evaluate(x, S::ZERO, S::LN_ZERO, |z| {
            let t = (-z).exp();
            if t <= S::HALF {
                -z + ln_expm1_ratio(t)
            } else {
                (-(-t).exp()).ln_1p()
            }
        })
    }

    /// The quantile function (inverse CDF) at a given uniform `u`: `μ − β·ln(−ln u)`.
    ///
    /// `u` must lie in `[0, 1]` ([`Error::Nan`], [`Error::OutsideSupport`]); `u = 0` gives
    /// `−inf` and `u = 1` gives `+inf` (`LOWEST` and `MAX` in fixed point); inside, a quantile
    /// beyond the finite range (an overflowing `μ + β·q`) is clamped to it. Above `u = 1/2`,
    /// `−ln u` is formed from `d = 1 − u` (exact there) as `−ln_1p(−d)`, and for `d ≤ 1/8` the
    /// quantile is `−ln d − c(d)` with the series `c(d) = ln(−ln(1 − d)/d) = d/2 + 5d²/24 + …`
    /// (to `d⁷`; remainder below `2.5·10^-9`), so that fixed point keeps its accuracy near 1.
    ///
    /// Error bound, with `q` the standard quantile: `u·(2 + 3|q|)` absolute in `f32` (relative
    /// away from the quantile's zero at `u = 1/e`); 4.4 LSB in fixed point (the logarithms'
    /// `0.52` LSB, and the `0.52` LSB of `−ln u` divided by `−ln u`, which is at least 0.13
    /// before the series takes over at `u = 7/8`).
    ///
    /// To *sample*, prefer [`sample`](Self::sample): a uniform of 24 bits (or fixed point's 16)
    /// stops the tails early, the noise kernels resolve them to `2^-33`.
    pub fn quantile(&self, u: S) -> Result<S, Error> {
        self.parameters.quantile(u, |u| {
            if u <= S::HALF {
                -(-u.ln()).ln()
            } else {
                let d = S::ONE - u;
                if d <= ratio(1, 8) {
                    -(d.ln() + ln_neg_ln_1m_ratio(d))
                } else {
                    -(-(-d).ln_1p()).ln()
                }
            }
        })
    }

    /// A variate `μ + β·G` from one random word, `G` the standard Gumbel noise of
    /// [`noise::gumbel`](crate::noise::gumbel) (for the standard distribution, exactly its bits),
    /// clamped to the finite range.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> S {
        self.parameters.variate(S::gumbel_from_word(rng.next_u32()))
    }
}

/// `s(t) = ln((1 − e^{−t})/t)` for `0 ≤ t ≤ 1/2`: `−t/2 + t²/24 − t⁴/2880 + t⁶/181440`, the
/// series of `−t/2 + ln(sinh(t/2)/(t/2))`, alternating, so the omitted rest is below its first
/// term `t⁸/9676800 ≤ 4.1·10^-10`.
fn ln_expm1_ratio<S: Scalar>(t: S) -> S {
    let w = t * t;
    let c6 = ratio::<S>(1, 2880) / S::from_i32(63);
    -(t * S::HALF) + w * (ratio::<S>(1, 24) - w * (ratio::<S>(1, 2880) - w * c6))
}

/// `c(d) = ln(−ln(1 − d)/d)` for `0 < d ≤ 1/8`: `d/2 + 5d²/24 + d³/8 + 251d⁴/2880 + 19d⁵/288 +
/// 19087d⁶/362880 + 751d⁷/17280`; every coefficient is positive, and the omitted rest is below
/// `2.5·10^-9` at `d = 1/8`.
fn ln_neg_ln_1m_ratio<S: Scalar>(d: S) -> S {
    let c6 = ratio::<S>(19087, 720) / S::from_i32(504);
    let mut c = ratio::<S>(751, 17280);
    for coefficient in [
        c6,
        ratio(19, 288),
        ratio(251, 2880),
        ratio(1, 8),
        ratio(5, 24),
        S::HALF,
    ] {
        c = coefficient + d * c;
    }
    d * c
}
