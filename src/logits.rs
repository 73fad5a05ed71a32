//! Validation of logits and masks, shared by every sampler, so they all agree on what is
//! masked, what is an error and how `+inf` is treated.

use crate::{Error, Scalar};

/// What one pass over the logits found: the shift that makes the largest one zero, and whether
/// any available logit is `+inf`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Support<S> {
    /// The largest finite available logit (subtracted before adding noise, so that huge logits
    /// such as `1e30` do not swallow the noise).
    shift: S,
    /// Some available logit is `+inf`: then only the `+inf` logits can be drawn.
    has_pos_inf: bool,
    /// The number of available (unmasked) actions; at least 1.
    pub(crate) available: usize,
}

/// Checks logits and an optional mask (`true` = allowed) and finds the shift.
///
/// Errors: no logits → [`Error::Empty`]; mask of another length → [`Error::LengthMismatch`];
/// a NaN logit → [`Error::Nan`] (even where masked: a NaN is a bug upstream that the caller
/// should hear about); nothing available → [`Error::AllMasked`].
pub(crate) fn support<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
) -> Result<Support<S>, Error> {
    if logits.is_empty() {
        return Err(Error::Empty);
    }
    if let Some(mask) = allowed
        && mask.len() != logits.len()
    {
        return Err(Error::LengthMismatch {
            expected: logits.len(),
            found: mask.len(),
        });
    }
    let mut shift = S::NEG_LOG_ZERO;
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
        shift,
        has_pos_inf,
        available,
    })
}

#[inline]
fn is_allowed(allowed: Option<&[bool]>, index: usize) -> bool {
    allowed.is_none_or(|mask| mask.get(index).copied().unwrap_or(false))
}

impl<S: Scalar> Support<S> {
    /// The effective logit of action `index`: `None` if it cannot be drawn, otherwise the logit
    /// minus the shift (at most 0). When some logit is `+inf`, the `+inf` logits become 0 and all
    /// finite ones unavailable: the limit of the softmax, which puts all its mass on them,
    /// shared equally.
    #[inline]
    pub(crate) fn effective(
        &self,
        logits: &[S],
        allowed: Option<&[bool]>,
        index: usize,
    ) -> Option<S> {
        let logit = *logits.get(index)?;
        if !is_allowed(allowed, index) || logit.is_neg_infinity() {
            return None;
        }
        match (self.has_pos_inf, logit.is_pos_infinity()) {
            (true, true) => Some(S::ZERO),
            (true, false) => None,
            // The difference of two finite values can still overflow to -inf in f32 (logits near
            // ±f32::MAX): such an action has probability zero at f32 precision anyway, and -inf
            // plus finite noise is -inf, never NaN.
            _ => Some(logit - self.shift),
        }
    }

    /// The largest finite available logit, subtracted from every logit before noise is added.
    #[inline]
    pub(crate) fn shift(&self) -> S {
        self.shift
    }

    /// `true` when some available logit is `+inf`.
    #[inline]
    pub(crate) fn has_pos_inf(&self) -> bool {
        self.has_pos_inf
    }

    /// For ranking all available actions (top-k): `None` if masked, otherwise whether the logit
    /// is `+inf` (such actions rank above every finite one, among themselves by noise alone, so
    /// their value is 0) and the logit minus the shift.
    #[inline]
    pub(crate) fn ranked(
        &self,
        logits: &[S],
        allowed: Option<&[bool]>,
        index: usize,
    ) -> Option<(bool, S)> {
        let logit = *logits.get(index)?;
        if !is_allowed(allowed, index) || logit.is_neg_infinity() {
            return None;
        }
        if logit.is_pos_infinity() {
            Some((true, S::ZERO))
        } else {
            Some((false, logit - self.shift))
        }
    }
}
