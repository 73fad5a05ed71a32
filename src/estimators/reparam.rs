//! Reparameterisation gradients of relaxed samples: the vector-Jacobian products (VJPs) of the
//! Concrete sample `y = softmax((θ + g)/λ)` and of the binary Concrete sample
//! `x = σ((θ + L)/λ)` with respect to the logits θ and the temperature λ, the noise held fixed.
//!
//! With an upstream gradient `v = ∂f/∂y`:
//! `∂f/∂θ = y ⊙ (v − ⟨v, y⟩) / λ` and `∂f/∂λ = −Σ_i v_i y_i (s_i − ⟨s, y⟩) / λ` with
//! `s = (θ + g − max)/λ`. Both in `O(K)` time and `O(1)` memory, written over the upstream
//! buffer; the Jacobian is never formed. The relaxed sample is recomputed from the logits and the
//! noise by the same operations as [`concrete::from_noise`](crate::concrete::from_noise), so it is the
//! sample the forward pass saw, bit for bit. Masked actions get a gradient of 0.
//!
//! Binary: `∂f/∂θ = v x(1−x)/λ`, `∂f/∂λ = −v x(1−x) y/λ` with the logit-space sample
//! `y = (θ + L)/λ`; `x(1−x)` is computed as `σ(y)σ(−y)`, so it stays accurate where `x` rounds
//! to 0 or 1.
//!
//! # Accuracy (f32)
//! The perturbed logit `z_i = θ_i + g_i` and the maximum are rounded once each, which the
//! division by λ turns into an absolute error of up to `ε(|z_i| + |max z|)/λ` in the exponent;
//! with the roundings of the exponential, the sum and the normalisation, each `y_i` carries a
//! relative error of at most `r_i = ε (K + 4 + (|z_i| + |max z|)/λ)`. The gradient coordinate `j`
//! is then within `2 y_j (r_j |v_j − ⟨v, y⟩| + Σ_i |v_i| y_i (r_i + Kε)) / λ` (plus `2ε` relative)
//! of the exact VJP; `tests/estimators_vjp.rs` checks exactly this bound (and the analogous one
//! for `∂f/∂λ`) against central finite differences in `f64`.
//!
//! # Errors
//! Those of [`concrete::from_noise`](crate::concrete::from_noise) for the logits, mask and noise;
//! an upstream buffer of another length → [`Error::LengthMismatch`]; a NaN or infinite upstream
//! value → [`Error::Nan`] / [`Error::NotFinite`]; a gradient that would overflow (a tiny λ with
//! a large upstream gradient) → [`Error::NonFiniteUpdate`]. On error nothing is written.

use crate::concrete::Tempered;
use crate::scalar::sigmoid;
use crate::validate::{Support, finite, finite_scalar, support};
use crate::{Error, Scalar, Temperature, binary as binary_sampler};

/// The VJP of a Concrete sample: on entry `upstream` holds `v = ∂f/∂y` at
/// `y = softmax((logits + noise)/λ)`; on exit it holds `∂f/∂logits`. Returns `∂f/∂λ`.
pub fn concrete<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &[S],
    temperature: Temperature<S>,
    upstream: &mut [S],
) -> Result<S, Error> {
    ConcreteSample::new(logits, allowed, noise, temperature)?.vjp_in_place(upstream, true)
}

/// The VJP of a binary Concrete sample `x = σ((logit + noise)/λ)` for an upstream `v = ∂f/∂x`:
/// returns `(∂f/∂logit, ∂f/∂λ)`.
pub fn binary<S: Scalar>(
    logit: S,
    noise: S,
    temperature: Temperature<S>,
    upstream: S,
) -> Result<(S, S), Error> {
    let y = binary_sampler::logit_from_noise(logit, noise, temperature)?;
    finite_scalar(upstream)?;
    let lambda = temperature.get();
    let slope = sigmoid(y) * sigmoid(-y);
    let d_logit = upstream * slope / lambda;
    let d_lambda = -(upstream * slope * y) / lambda;
    if d_logit.is_finite() && d_lambda.is_finite() {
        Ok((d_logit, d_lambda))
    } else {
        Err(Error::NonFiniteUpdate)
    }
}

/// A Concrete sample that is never stored: validated inputs, the tempered softmax of the
/// sampler ([`Tempered`]: the maximum perturbed logit and λ) and the normaliser, from which any
/// coordinate `y_i` is recomputed on demand, by the sampler's own kernel.
pub(crate) struct ConcreteSample<'a, S: Scalar> {
    support: Support<'a, S>,
    noise: &'a [S],
    tempered: Tempered<S>,
    lambda: S,
    inv_sum: S,
}

impl<'a, S: Scalar> ConcreteSample<'a, S> {
    /// Validates like [`concrete::from_noise`](crate::concrete::from_noise).
    pub(crate) fn new(
        logits: &'a [S],
        allowed: Option<&'a [bool]>,
        noise: &'a [S],
        temperature: Temperature<S>,
    ) -> Result<Self, Error> {
        let support = support(logits, allowed)?;
        support.same_len(noise.len())?;
        finite(noise)?;
        Ok(Self::validated(support, noise, temperature))
    }

    /// For noise already known to be finite and of the right length.
    pub(crate) fn validated(
        support: Support<'a, S>,
        noise: &'a [S],
        temperature: Temperature<S>,
    ) -> Self {
        let perturbed = noise
            .iter()
            .enumerate()
            .filter_map(|(i, &g)| support.effective(i).map(|theta| (i, theta + g)));
        let tempered = Tempered::new(perturbed, temperature);
        let mut relaxed = Self {
            support,
            noise,
            tempered,
            lambda: temperature.get(),
            inv_sum: S::ONE,
        };
        // The same wide sum and reciprocal as the sampler, so `y` is its sample bit for bit.
        let mut sum = S::exp_sum_new();
        for i in 0..relaxed.len() {
            if let Some(s) = relaxed.scaled(i) {
                S::exp_and_accumulate(s, &mut sum);
            }
        }
        relaxed.inv_sum = S::exp_sum_recip(sum);
        relaxed
    }

    /// `(z_i − max)/λ` as the sampler computes it; `None` if masked.
    #[inline(always)]
    fn scaled(&self, i: usize) -> Option<S> {
        let theta = self.support.effective(i)?;
        let g = *self.noise.get(i)?;
        Some(self.tempered.scaled(theta + g))
    }

    /// `y_i` from its scaled logit.
    #[inline(always)]
    fn y_of_scaled(&self, s: S) -> S {
        s.exp() * self.inv_sum
    }

    /// The coordinate `y_i` (0 if masked).
    pub(crate) fn y(&self, i: usize) -> S {
        self.scaled(i).map_or(S::ZERO, |s| self.y_of_scaled(s))
    }

    pub(crate) fn len(&self) -> usize {
        self.support.len()
    }

    /// Checks `v` (length, NaN, infinity) and that `y ⊙ (v − ⟨v, y⟩)/λ` cannot overflow:
    /// `4·max|v_i|/λ` must be finite.
    fn check_upstream(&self, v: &[S]) -> Result<(), Error> {
        self.support.same_len(v.len())?;
        finite(v)?;
        let largest = v.iter().fold(S::ZERO, |largest, vi| largest.max(vi.abs()));
        let four = S::from_i32(4);
        if (four * largest / self.lambda).is_finite() {
            Ok(())
        } else {
            Err(Error::NonFiniteUpdate)
        }
    }

    /// `⟨v, y⟩`, after the checks of [`check_upstream`](Self::check_upstream).
    pub(crate) fn checked_inner(&self, v: &[S]) -> Result<S, Error> {
        self.check_upstream(v)?;
        Ok(self.inner_and_mean(v).0)
    }

    /// `⟨v, y⟩` and `⟨s, y⟩` (the scaled logits' mean), in one pass. Masked actions add
    /// nothing (`v_i · 0` would add a zero to a sum that is never `-0`).
    fn inner_and_mean(&self, v: &[S]) -> (S, S) {
        let mut inner = S::ZERO;
        let mut mean_scaled = S::ZERO;
        for (i, &vi) in v.iter().enumerate() {
            if let Some(s) = self.scaled(i) {
                let y = self.y_of_scaled(s);
                inner += vi * y;
                mean_scaled += y * s;
            }
        }
        (inner, mean_scaled)
    }

    /// Overwrites `v` with `∂f/∂θ`; returns `∂f/∂λ` if asked for (else 0). Nothing is written
    /// on error.
    pub(crate) fn vjp_in_place(&self, v: &mut [S], with_lambda: bool) -> Result<S, Error> {
        self.check_upstream(v)?;
        let (inner, mean_scaled) = self.inner_and_mean(v);
        let d_lambda = if with_lambda {
            let mut total = S::ZERO;
            for (i, &vi) in v.iter().enumerate() {
                if let Some(s) = self.scaled(i) {
                    total += vi * self.y_of_scaled(s) * (s - mean_scaled);
                }
            }
            let d_lambda = -total / self.lambda;
            if !d_lambda.is_finite() {
                return Err(Error::NonFiniteUpdate);
            }
            d_lambda
        } else {
            S::ZERO
        };
        for (i, vi) in v.iter_mut().enumerate() {
            *vi = (self.y(i) * (*vi - inner)).div_by(self.tempered.lambda());
        }
        Ok(d_lambda)
    }
}
