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

use crate::concrete::{Tempered, keep_scaled, perturb_into, softmax_keeping_scaled};
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
    ConcreteSample::checked_vjp(logits, allowed, noise, temperature, upstream, true)
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

/// A Concrete sample, validated, from which any coordinate `y_i` is available: by the
/// sampler's own kernel ([`Tempered`]). Up to [`CACHED`] actions the sample and its scaled
/// logits are computed once ([`softmax_keeping_scaled`]) and kept; beyond, only the maximum and
/// the normaliser are kept and each coordinate is recomputed when needed.
pub(crate) struct ConcreteSample<'a, S: Scalar> {
    support: Support<'a, S>,
    noise: &'a [S],
    tempered: Tempered<S>,
    lambda: S,
    /// `1/Σ e^{s_i}` (beyond [`CACHED`] actions).
    inv_sum: S,
    /// Up to [`CACHED`] actions: the scaled logits `s_i` and the sample `y_i` (0 where
    /// masked), one per action, in the caller's [`Kept`].
    kept: Option<KeptSample<'a, S>>,
}

/// The scaled logits and the sample a [`ConcreteSample`] keeps, one per action.
#[derive(Clone, Copy)]
struct KeptSample<'a, S> {
    scaled: &'a [S],
    y: &'a [S],
}

/// The coordinates `(y_i, s_i)` of a [`ConcreteSample`], the sample and the scaled logit of
/// each action, however it has them: kept (0 and 0 where masked) or recomputed (`None`
/// where masked). A masked action's zero terms added to a sum that is never `-0` leave it
/// unchanged, as does skipping them, so every pass over either computes the same sums.
trait Coordinates<S> {
    /// Calls `f` with each action's coordinates in index order, alongside the items of
    /// `with` (one per action).
    fn each<T>(&self, with: impl Iterator<Item = T>, f: impl FnMut(Option<(S, S)>, T));
}

impl<S: Scalar> Coordinates<S> for KeptSample<'_, S> {
    #[inline(always)]
    fn each<T>(&self, with: impl Iterator<Item = T>, mut f: impl FnMut(Option<(S, S)>, T)) {
        for ((item, &y), &s) in with.zip(self.y).zip(self.scaled) {
            f(Some((y, s)), item);
        }
    }
}

impl<S: Scalar> Coordinates<S> for ConcreteSample<'_, S> {
    #[inline(always)]
    fn each<T>(&self, with: impl Iterator<Item = T>, mut f: impl FnMut(Option<(S, S)>, T)) {
        self.each_scaled(with, |scaled, item| {
            f(scaled.map(|s| (self.y_of_scaled(s), s)), item);
        });
    }
}

/// Room for what a [`ConcreteSample`] of up to [`CACHED`] actions keeps, on its caller's stack:
/// the sample is returned by value, and 128 bytes kept inside it would be copied on the way.
pub(crate) struct Kept<S> {
    scaled: [S; CACHED],
    y: [S; CACHED],
}

impl<S: Scalar> Kept<S> {
    /// Empty room.
    #[inline(always)]
    pub(crate) fn new() -> Self {
        Self {
            scaled: [S::ZERO; CACHED],
            y: [S::ZERO; CACHED],
        }
    }

    /// Room for `len` actions' scaled logits and sample, if there is enough.
    #[inline(always)]
    fn slices(&mut self, len: usize) -> Option<(&mut [S], &mut [S])> {
        Some((self.scaled.get_mut(..len)?, self.y.get_mut(..len)?))
    }
}

/// The sums of the VJP's first pass over the sample: `⟨v, y⟩`, `⟨s, y⟩` and `Σ y`, each in
/// index order.
#[derive(Clone, Copy)]
struct FirstPass<S> {
    inner: S,
    mean_scaled: S,
    mass: S,
}

impl<S: Scalar> Default for FirstPass<S> {
    fn default() -> Self {
        Self {
            inner: S::ZERO,
            mean_scaled: S::ZERO,
            mass: S::ZERO,
        }
    }
}

impl<S: Scalar> FirstPass<S> {
    /// One action's terms (zeros where masked, which leave the sums as they are).
    #[inline(always)]
    fn add(&mut self, vi: S, y: S, s: S) {
        self.inner += vi * y;
        self.mean_scaled += y * s;
        self.mass += y;
    }
}

/// Up to how many actions a [`ConcreteSample`] keeps its sample and scaled logits (128 bytes
/// of stack in either scalar): the small `K` of a microcontroller's decisions, where every
/// exponential is then computed once instead of once per pass.
const CACHED: usize = 16;

/// Above this many logits the fused λ-gradient pass is not used (its overflow bound assumes
/// `(1 + 2^-24)^(2K + 2) <= 2`).
const FUSED_LIMIT: usize = 1 << 20;

impl<'a, S: Scalar> ConcreteSample<'a, S> {
    /// Validates the logits, mask and noise like
    /// [`concrete::from_noise`](crate::concrete::from_noise), then `v`, and overwrites `v` with
    /// the VJP (returning `∂f/∂λ` if asked for): the whole of [`concrete`] (and of the
    /// straight-through backward pass, without the λ-gradient). In `f32` up to [`CACHED`]
    /// actions the first pass over the sample runs inside its normalisation; otherwise
    /// [`validated`](Self::validated) then [`vjp_in_place`](Self::vjp_in_place).
    #[inline(always)]
    pub(crate) fn checked_vjp(
        logits: &'a [S],
        allowed: Option<&'a [bool]>,
        noise: &'a [S],
        temperature: Temperature<S>,
        v: &mut [S],
        with_lambda: bool,
    ) -> Result<S, Error> {
        let support = support(logits, allowed)?;
        support.same_len(noise.len())?;
        let lambda = temperature.get();
        let mut room = Kept::new();
        // Fixed point (whose values are all finite and whose products are calls) takes the
        // general path: there the first pass inside the normalisation costs more than it saves.
        if !S::SATURATES
            && let Some((scaled, y)) = room.slices(noise.len())
        {
            // The noise is checked by the sum the perturbation pass returns: only where it is
            // not finite does `finite` look for the first value that is not (none if the sum
            // overflowed). That pass writes nothing but `room`, and `v` is checked after it,
            // so the errors and their order are the general path's.
            let (tempered, noise_sum) = perturb_into(&support, temperature, noise, scaled);
            if !noise_sum.is_finite() {
                finite(noise)?;
            }
            let largest = check_upstream(&support, lambda, v)?;
            let mut sums = FirstPass::default();
            keep_scaled(&support, &tempered, scaled, y, v.iter(), |y, s, &vi| {
                sums.add(vi, y, s);
            });
            let mut relaxed = Self::unfinished(support, noise, temperature);
            relaxed.tempered = tempered;
            return relaxed.vjp_after(&KeptSample { scaled, y }, v, largest, with_lambda, sums);
        }
        finite(noise)?;
        ConcreteSample::validated(support, noise, temperature, &mut room)
            .vjp_in_place(v, with_lambda)
    }

    /// For noise already known to be finite and of the right length; up to [`CACHED`] actions
    /// the sample is kept in `room`.
    #[inline]
    pub(crate) fn validated(
        support: Support<'a, S>,
        noise: &'a [S],
        temperature: Temperature<S>,
        room: &'a mut Kept<S>,
    ) -> Self {
        let mut relaxed = Self::unfinished(support, noise, temperature);
        if let Some((scaled, y)) = room.slices(noise.len()) {
            relaxed.tempered = softmax_keeping_scaled(&support, temperature, noise, scaled, y);
            relaxed.kept = Some(KeptSample { scaled, y });
        } else {
            relaxed.stream(temperature);
        }
        relaxed
    }

    /// A sample with nothing computed yet.
    #[inline(always)]
    fn unfinished(support: Support<'a, S>, noise: &'a [S], temperature: Temperature<S>) -> Self {
        Self {
            support,
            noise,
            tempered: Tempered::new(core::iter::empty(), temperature),
            lambda: temperature.get(),
            inv_sum: S::ONE,
            kept: None,
        }
    }

    /// Beyond [`CACHED`] actions: the maximum and the normaliser, by the sampler's operations.
    #[inline(always)]
    fn stream(&mut self, temperature: Temperature<S>) {
        let (support, noise) = (self.support, self.noise);
        self.tempered = if support.is_plain() {
            let shift = support.shift();
            let perturbed = support
                .logits()
                .iter()
                .zip(noise)
                .map(|(&logit, &g)| (logit - shift) + g);
            Tempered::new(perturbed.enumerate(), temperature)
        } else {
            let perturbed = noise
                .iter()
                .enumerate()
                .filter_map(|(i, &g)| support.effective(i).map(|theta| (i, theta + g)));
            Tempered::new(perturbed, temperature)
        };
        // The same wide sum and reciprocal as the sampler, so `y` is its sample bit for bit.
        let mut sum = S::exp_sum_new();
        self.each_scaled(noise.iter(), |scaled, _| {
            if let Some(s) = scaled {
                Tempered::exp_and_accumulate(s, &mut sum);
            }
        });
        self.inv_sum = S::exp_sum_recip(sum);
    }

    /// Calls `f` with the scaled logit `(z_i − max)/λ` of each action in index order (`None`
    /// if masked), alongside the items of `with` (one per action): without a mask check per
    /// action when nothing is masked.
    #[inline(always)]
    fn each_scaled<T>(&self, with: impl Iterator<Item = T>, mut f: impl FnMut(Option<S>, T)) {
        if self.support.is_plain() {
            let shift = self.support.shift();
            let logits = self.support.logits().iter().zip(self.noise);
            for ((&logit, &g), item) in logits.zip(with) {
                f(Some(self.tempered.scaled((logit - shift) + g)), item);
            }
        } else {
            for (i, item) in with.enumerate() {
                f(self.scaled(i), item);
            }
        }
    }

    /// `(z_i − max)/λ` as the sampler computes it; `None` if masked.
    #[inline(always)]
    fn scaled(&self, i: usize) -> Option<S> {
        let theta = self.support.effective(i)?;
        let g = *self.noise.get(i)?;
        Some(self.tempered.scaled(theta + g))
    }

    /// `y_i` from its scaled logit (beyond [`CACHED`] actions).
    #[inline(always)]
    fn y_of_scaled(&self, s: S) -> S {
        Tempered::exp(s) * self.inv_sum
    }

    /// The coordinate `y_i` (0 if masked).
    pub(crate) fn y(&self, i: usize) -> S {
        match &self.kept {
            Some(kept) => kept.y.get(i).copied().unwrap_or(S::ZERO),
            None => self.scaled(i).map_or(S::ZERO, |s| self.y_of_scaled(s)),
        }
    }

    /// Writes the sample `y` to `out` (one value per action, 0 where masked): the bits
    /// [`concrete::from_noise`](crate::concrete::from_noise) writes for the same logits,
    /// noise and temperature.
    pub(crate) fn write_sample(&self, out: &mut [S]) {
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = self.y(i);
        }
    }

    /// [`check_upstream`] for this sample.
    fn check_upstream(&self, v: &[S]) -> Result<S, Error> {
        check_upstream(&self.support, self.lambda, v)
    }

    /// `⟨v, y⟩`, after the checks of [`check_upstream`](Self::check_upstream).
    pub(crate) fn checked_inner(&self, v: &[S]) -> Result<S, Error> {
        self.check_upstream(v)?;
        let mut inner = S::ZERO;
        let add = |coordinate: Option<(S, S)>, &vi: &S| {
            if let Some((y, _)) = coordinate {
                inner += vi * y;
            }
        };
        match self.kept {
            Some(kept) => kept.each(v.iter(), add),
            None => self.each(v.iter(), add),
        }
        Ok(inner)
    }

    /// Overwrites `v` with `∂f/∂θ`; returns `∂f/∂λ` if asked for (else 0). Nothing is written
    /// on error.
    ///
    /// Passes over the sample: `⟨v, y⟩` and `⟨s, y⟩`; then the λ-gradient's sum and the
    /// writes together, when its result is known in advance to be finite (see
    /// [`lambda_gradient_is_finite`](Self::lambda_gradient_is_finite)); otherwise the
    /// λ-gradient takes a pass of its own and is checked before anything is written.
    pub(crate) fn vjp_in_place(&self, v: &mut [S], with_lambda: bool) -> Result<S, Error> {
        let largest = self.check_upstream(v)?;
        match self.kept {
            Some(kept) => self.vjp_over(&kept, v, largest, with_lambda),
            None => self.vjp_over(self, v, largest, with_lambda),
        }
    }

    /// [`vjp_in_place`](Self::vjp_in_place) over the kept or the recomputed coordinates.
    #[inline(always)]
    fn vjp_over(
        &self,
        coordinates: &impl Coordinates<S>,
        v: &mut [S],
        largest: S,
        with_lambda: bool,
    ) -> Result<S, Error> {
        let mut sums = FirstPass::default();
        coordinates.each(v.iter(), |coordinate, &vi| {
            if let Some((y, s)) = coordinate {
                sums.add(vi, y, s);
            }
        });
        self.vjp_after(coordinates, v, largest, with_lambda, sums)
    }

    /// The rest of [`vjp_over`](Self::vjp_over), after its first pass.
    #[inline(always)]
    fn vjp_after(
        &self,
        coordinates: &impl Coordinates<S>,
        v: &mut [S],
        largest: S,
        with_lambda: bool,
        sums: FirstPass<S>,
    ) -> Result<S, Error> {
        let FirstPass {
            inner,
            mean_scaled,
            mass,
        } = sums;
        let term = |vi: S, y: S, s: S| vi * y * (s - mean_scaled);
        let fused = !with_lambda || self.lambda_gradient_is_finite(largest, mean_scaled, mass);
        let mut total = S::ZERO;
        if !fused {
            coordinates.each(v.iter(), |coordinate, &vi| {
                if let Some((y, s)) = coordinate {
                    total += term(vi, y, s);
                }
            });
            if !(-total / self.lambda).is_finite() {
                return Err(Error::NonFiniteUpdate);
            }
        }
        let lambda = self.tempered.lambda();
        coordinates.each(v.iter_mut(), |coordinate, vi| {
            let y = match coordinate {
                Some((y, s)) => {
                    if fused && with_lambda {
                        total += term(*vi, y, s);
                    }
                    y
                }
                None => S::ZERO,
            };
            *vi = (y * (*vi - inner)).div_by(lambda);
        });
        self.lambda_gradient(total, with_lambda)
    }

    /// `−total/λ`, or 0 if not asked for.
    fn lambda_gradient(&self, total: S, with_lambda: bool) -> Result<S, Error> {
        if !with_lambda {
            return Ok(S::ZERO);
        }
        let d_lambda = -total / self.lambda;
        if d_lambda.is_finite() {
            Ok(d_lambda)
        } else {
            Err(Error::NonFiniteUpdate)
        }
    }

    /// Whether `∂f/∂λ = −Σ_i v_i y_i (s_i − m)/λ` is certain to be finite, from the first pass's
    /// `mean = m = Σ y_i s_i` and `mass = Σ y_i` (as rounded), so that it can be summed in the
    /// same pass as the writes. Always in fixed point, which saturates.
    ///
    /// Every `s_i <= 0` and `y_i >= 0`, so `spread = Σ y_i |s_i|`, rounded term by term, is
    /// `−m` exactly (rounding is symmetric under negation): `|m|`.
    ///
    /// With `L = max|v_i|` and unit roundoff `u = 2^-24`: each term is at most
    /// `L y_i (|s_i| + |m|)(1 + u)^3`, the rounded sum of `K` of them at most `(1 + u)^(K-1)` times
    /// the sum of their magnitudes, and the rounded `spread` and `mass` (sums of non-negative
    /// terms) at least `(1 − u)^K` times the exact ones; so
    /// `|Σ| <= L (spread + |m| mass) (1 + u)^(K+2) / (1 − u)^K <= 2 L (spread + |m| mass)` for
    /// `K <= 2^20`. If that bound over λ, computed with four more roundings, is at most
    /// `MAX / 4`, the quotient is below `MAX`.
    fn lambda_gradient_is_finite(&self, largest: S, mean: S, mass: S) -> bool {
        if S::SATURATES {
            return true;
        }
        if self.support.len() > FUSED_LIMIT {
            return false;
        }
        let two = S::from_i32(2);
        let spread = mean.abs();
        let bound = two * largest * (spread + spread * mass) / self.lambda;
        bound.is_finite() && bound <= S::MAX / S::from_i32(4)
    }
}

/// Checks `v` (length, NaN, infinity) and that `y ⊙ (v − ⟨v, y⟩)/λ` cannot overflow:
/// `4·max|v_i|/λ` must be finite. Returns `max|v_i|`.
fn check_upstream<S: Scalar>(support: &Support<S>, lambda: S, v: &[S]) -> Result<S, Error> {
    support.same_len(v.len())?;
    let Some(largest) = S::largest_magnitude(v) else {
        // Some value is not finite: `finite` names the first.
        finite(v)?;
        return Err(Error::NotFinite { index: 0 });
    };
    let four = S::from_i32(4);
    if (four * largest / lambda).is_finite() {
        Ok(largest)
    } else {
        Err(Error::NonFiniteUpdate)
    }
}
