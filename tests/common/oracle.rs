//! The samplers as they were before the lazy bracketed Gumbel-max, the branch-free noise
//! kernels, the fused Concrete and the fused VJP (commit 95b4559), kept as a test oracle: the
//! new code must give the same index, the same bits and draw the same words for every input.
//!
//! Written against the public API only, with its own noise: for `f32` straight from `libm`
//! (`logf`, `log1pf`, `expf`), so the crate's in-house kernels are compared with the library
//! they replace; for `Fixed` through its public kernels, whose bit-identity after the M0
//! multiply and division changes `tests/fixed_kernels.rs` checks separately.

use gumbel::{Error, Scalar, Temperature};
use rand_core::Rng;

/// The arithmetic the old samplers used, per scalar type.
pub trait Oracle: Scalar {
    /// Standard Gumbel noise from one word.
    fn gumbel(word: u32) -> Self;
    /// `e^x`.
    fn exp_of(x: Self) -> Self;
    /// The accumulator of the Concrete sum.
    type Sum: Copy;
    fn sum_new() -> Self::Sum;
    fn exp_accumulate(x: Self, sum: &mut Self::Sum) -> Self;
    fn sum_recip(sum: Self::Sum) -> Self;
    fn sum_ln(sum: Self::Sum) -> Self;
}

impl Oracle for f32 {
    fn gumbel(word: u32) -> f32 {
        let upper = word >> 31 == 1;
        let odd = ((word & 0x7FFF_FFFF) << 1) | 1;
        let t = odd as f32 * f32::from_bits((127 - 33) << 23);
        let e = if upper {
            -libm::log1pf(-t)
        } else {
            -libm::logf(t)
        };
        -libm::logf(e)
    }
    fn exp_of(x: f32) -> f32 {
        libm::expf(x)
    }
    type Sum = f32;
    fn sum_new() -> f32 {
        0.0
    }
    fn exp_accumulate(x: f32, sum: &mut f32) -> f32 {
        let e = libm::expf(x);
        *sum += e;
        e
    }
    fn sum_recip(sum: f32) -> f32 {
        1.0 / sum
    }
    fn sum_ln(sum: f32) -> f32 {
        libm::logf(sum)
    }
}

#[cfg(feature = "fixed")]
impl Oracle for gumbel::Fixed {
    fn gumbel(word: u32) -> Self {
        Self::gumbel_from_word(word)
    }
    fn exp_of(x: Self) -> Self {
        x.exp()
    }
    type Sum = <Self as Scalar>::ExpSum;
    fn sum_new() -> Self::Sum {
        Self::exp_sum_new()
    }
    fn exp_accumulate(x: Self, sum: &mut Self::Sum) -> Self {
        Self::exp_and_accumulate(x, sum)
    }
    fn sum_recip(sum: Self::Sum) -> Self {
        Self::exp_sum_recip(sum)
    }
    fn sum_ln(sum: Self::Sum) -> Self {
        Self::exp_sum_ln(sum)
    }
}

/// The old `validate::Support`.
pub struct Support<'a, S> {
    logits: &'a [S],
    allowed: Option<&'a [bool]>,
    shift: S,
    has_pos_inf: bool,
    pub available: usize,
}

fn is_allowed(allowed: Option<&[bool]>, index: usize) -> bool {
    allowed.is_none_or(|mask| mask.get(index).copied().unwrap_or(false))
}

pub fn same_len(expected: usize, found: usize) -> Result<(), Error> {
    if found == expected {
        Ok(())
    } else {
        Err(Error::LengthMismatch { expected, found })
    }
}

pub fn finite<S: Scalar>(values: &[S]) -> Result<(), Error> {
    for (index, v) in values.iter().enumerate() {
        if v.is_nan() {
            return Err(Error::Nan { index });
        }
        if !v.is_finite() {
            return Err(Error::NotFinite { index });
        }
    }
    Ok(())
}

pub fn support<'a, S: Scalar>(
    logits: &'a [S],
    allowed: Option<&'a [bool]>,
) -> Result<Support<'a, S>, Error> {
    if logits.is_empty() {
        return Err(Error::Empty);
    }
    if let Some(mask) = allowed {
        same_len(logits.len(), mask.len())?;
    }
    let mut shift = S::LN_ZERO;
    let mut has_pos_inf = false;
    let mut available = 0;
    let mut any_finite = false;
    for (index, &logit) in logits.iter().enumerate() {
        if logit.is_nan() {
            return Err(Error::Nan { index });
        }
        if !is_allowed(allowed, index) || logit.is_neg_infinity() {
            continue;
        }
        available += 1;
        if logit.is_pos_infinity() {
            has_pos_inf = true;
        } else if !any_finite || logit > shift {
            shift = logit;
            any_finite = true;
        }
    }
    if available == 0 {
        return Err(Error::AllMasked);
    }
    Ok(Support {
        logits,
        allowed,
        shift,
        has_pos_inf,
        available,
    })
}

impl<S: Scalar> Support<'_, S> {
    fn effective(&self, index: usize) -> Option<S> {
        let logit = *self.logits.get(index)?;
        if !is_allowed(self.allowed, index) || logit.is_neg_infinity() {
            return None;
        }
        match (self.has_pos_inf, logit.is_pos_infinity()) {
            (true, true) => Some(S::ZERO),
            (true, false) => None,
            _ => Some(logit - self.shift),
        }
    }

    fn ranked(&self, index: usize) -> Option<(bool, S)> {
        let logit = *self.logits.get(index)?;
        if !is_allowed(self.allowed, index) || logit.is_neg_infinity() {
            return None;
        }
        if logit.is_pos_infinity() {
            Some((true, S::ZERO))
        } else {
            Some((false, logit - self.shift))
        }
    }
}

/// The old `categorical::sample_inner`: `sample` (no mask, no noise), `sample_masked`,
/// `sample_with_noise`.
pub fn categorical<S: Oracle, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: Option<&mut [S]>,
) -> Result<usize, Error> {
    let support = support(logits, allowed)?;
    match noise {
        None => Ok(best(&support, |_| S::gumbel(rng.next_u32()))),
        Some(noise) => {
            same_len(logits.len(), noise.len())?;
            for g in noise.iter_mut() {
                *g = S::gumbel(rng.next_u32());
            }
            Ok(best(&support, |k| noise[k]))
        }
    }
}

/// The old `categorical::argmax_perturbed` (which accepted infinite noise).
pub fn argmax_perturbed<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &[S],
) -> Result<usize, Error> {
    let support = support(logits, allowed)?;
    same_len(logits.len(), noise.len())?;
    if let Some(index) = noise.iter().position(|g| g.is_nan()) {
        return Err(Error::Nan { index });
    }
    Ok(best(&support, |k| noise[k]))
}

fn best<S: Scalar>(support: &Support<S>, mut noise_at: impl FnMut(usize) -> S) -> usize {
    let logits = support.logits;
    if support.allowed.is_none() && !support.has_pos_inf {
        let shift = support.shift;
        let mut best_index = 0;
        let mut best_value = S::LN_ZERO;
        for (k, &logit) in logits.iter().enumerate() {
            let value = (logit - shift) + noise_at(k);
            if value > best_value {
                best_index = k;
                best_value = value;
            }
        }
        return best_index;
    }
    let mut best_index = usize::MAX;
    let mut best_value = S::ZERO;
    for k in 0..logits.len() {
        let g = noise_at(k);
        if let Some(effective) = support.effective(k) {
            let value = effective + g;
            if best_index == usize::MAX || value > best_value {
                best_index = k;
                best_value = value;
            }
        }
    }
    best_index.min(logits.len().saturating_sub(1))
}

/// The old `topk::top_k`.
pub fn top_k<S: Oracle, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    indices: &mut [usize],
    keys: &mut [S],
) -> Result<(), Error> {
    let support = support(logits, allowed)?;
    let k = indices.len();
    same_len(k, keys.len())?;
    if k > support.available {
        return Err(Error::TooFewActions {
            requested: k,
            available: support.available,
        });
    }
    let mut filled = 0;
    for i in 0..logits.len() {
        let g = S::gumbel(rng.next_u32());
        let Some((infinite, effective)) = support.ranked(i) else {
            continue;
        };
        let key = effective + g;
        let beats = |p: usize| {
            let slot_infinite = logits[indices[p]].is_pos_infinity();
            (infinite && !slot_infinite) || (infinite == slot_infinite && key > keys[p])
        };
        let Some(slot) = (0..filled)
            .find(|&p| beats(p))
            .or((filled < k).then_some(filled))
        else {
            continue;
        };
        let end = if filled < k { filled } else { k - 1 };
        for p in (slot..end).rev() {
            indices[p + 1] = indices[p];
            keys[p + 1] = keys[p];
        }
        indices[slot] = i;
        keys[slot] = key;
        if filled < k {
            filled += 1;
        }
    }
    for (&index, key) in indices.iter().zip(keys.iter_mut()) {
        if logits[index].is_pos_infinity() {
            *key = logits[index];
        }
    }
    Ok(())
}

/// The old `concrete::sample_inner` (`sample`, `sample_log`, and the straight-through
/// forward pass): returns the argmax.
pub fn concrete<S: Oracle, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    temperature: Temperature<S>,
    out: &mut [S],
    log_space: bool,
) -> Result<usize, Error> {
    let support = support(logits, allowed)?;
    same_len(logits.len(), out.len())?;
    for g in out.iter_mut() {
        *g = S::gumbel(rng.next_u32());
    }
    Ok(softmax_in_place(&support, temperature, out, log_space))
}

/// The old `concrete::from_noise` / `log_from_noise`.
pub fn concrete_from_noise<S: Oracle>(
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &[S],
    temperature: Temperature<S>,
    out: &mut [S],
    log_space: bool,
) -> Result<usize, Error> {
    let support = support(logits, allowed)?;
    same_len(logits.len(), noise.len())?;
    same_len(logits.len(), out.len())?;
    finite(noise)?;
    out.copy_from_slice(noise);
    Ok(softmax_in_place(&support, temperature, out, log_space))
}

fn softmax_in_place<S: Oracle>(
    support: &Support<S>,
    temperature: Temperature<S>,
    buf: &mut [S],
    log_space: bool,
) -> usize {
    let mut best = usize::MAX;
    let mut max = S::ZERO;
    for (k, slot) in buf.iter_mut().enumerate() {
        if let Some(effective) = support.effective(k) {
            let z = effective + *slot;
            *slot = z;
            if best == usize::MAX || z > max {
                best = k;
                max = z;
            }
        }
    }
    let lambda = temperature.get();
    let mut sum = S::sum_new();
    for (k, slot) in buf.iter_mut().enumerate() {
        if support.effective(k).is_some() {
            let scaled = ((*slot - max) / lambda).max(S::LOWEST);
            let e = S::exp_accumulate(scaled, &mut sum);
            *slot = if log_space { scaled } else { e };
        }
    }
    let normaliser = if log_space {
        S::sum_ln(sum)
    } else {
        S::sum_recip(sum)
    };
    for (k, slot) in buf.iter_mut().enumerate() {
        *slot = match (support.effective(k).is_some(), log_space) {
            (true, true) => (*slot - normaliser).max(S::LOWEST + S::EPSILON),
            (true, false) => *slot * normaliser,
            (false, true) => S::LN_ZERO,
            (false, false) => S::ZERO,
        };
    }
    best.min(buf.len().saturating_sub(1))
}

/// The old `estimators::reparam::concrete` (`with_lambda`) and the straight-through backward
/// pass (without): overwrites `v` with the gradient for the logits, returns the one for λ.
pub fn concrete_vjp<S: Oracle>(
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &[S],
    temperature: Temperature<S>,
    v: &mut [S],
    with_lambda: bool,
) -> Result<S, Error> {
    let support = support(logits, allowed)?;
    same_len(logits.len(), noise.len())?;
    finite(noise)?;
    let lambda = temperature.get();
    let perturbed = |i: usize| support.effective(i).map(|theta| theta + noise[i]);
    let mut max = S::ZERO;
    let mut first = true;
    for i in 0..logits.len() {
        if let Some(z) = perturbed(i)
            && (first || z > max)
        {
            max = z;
            first = false;
        }
    }
    let scaled = |i: usize| perturbed(i).map(|z| ((z - max) / lambda).max(S::LOWEST));
    let mut sum = S::sum_new();
    for i in 0..logits.len() {
        if let Some(s) = scaled(i) {
            S::exp_accumulate(s, &mut sum);
        }
    }
    let inv_sum = S::sum_recip(sum);
    let y = |i: usize| scaled(i).map_or(S::ZERO, |s| S::exp_of(s) * inv_sum);

    same_len(logits.len(), v.len())?;
    finite(v)?;
    let mut largest = S::ZERO;
    let mut inner = S::ZERO;
    for (i, &vi) in v.iter().enumerate() {
        largest = largest.max(vi.abs());
        inner += vi * y(i);
    }
    let four = S::from_i32(4);
    if !(four * largest / lambda).is_finite() {
        return Err(Error::NonFiniteUpdate);
    }
    let d_lambda = if with_lambda {
        let mut mean_scaled = S::ZERO;
        for i in 0..logits.len() {
            if let Some(s) = scaled(i) {
                mean_scaled += y(i) * s;
            }
        }
        let mut total = S::ZERO;
        for (i, &vi) in v.iter().enumerate() {
            if let Some(s) = scaled(i) {
                total += vi * y(i) * (s - mean_scaled);
            }
        }
        let d_lambda = -total / lambda;
        if !d_lambda.is_finite() {
            return Err(Error::NonFiniteUpdate);
        }
        d_lambda
    } else {
        S::ZERO
    };
    for (i, vi) in v.iter_mut().enumerate() {
        *vi = y(i) * (*vi - inner) / lambda;
    }
    Ok(d_lambda)
}
