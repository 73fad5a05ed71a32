//! The one home of input validation: what is masked, what is an error and how `+inf` is
//! treated, for logits and masks ([`support`]), and the length and finiteness rules every
//! other argument follows. Every sampler, estimator and the learner validate through here, so
//! they all refuse the same inputs with the same [`Error`].

use crate::scalar::{LANES, greater_not_nan, larger, max_of_lanes};
use crate::{Error, Scalar};

/// Validated logits and mask, borrowed: the shift that makes the largest available logit zero,
/// whether any available logit is `+inf`, and how many actions are available.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Support<'a, S> {
    logits: &'a [S],
    allowed: Option<&'a [bool]>,
    /// The largest finite available logit (subtracted before adding noise, so that huge logits
    /// such as `1e30` do not swallow the noise).
    shift: S,
    /// Some available logit is `+inf`: then only the `+inf` logits can be drawn.
    has_pos_inf: bool,
    /// The number of available (unmasked) actions; at least 1.
    pub(crate) available: usize,
}

/// The shift of a [`Support`] and whether some logit is `+inf`: enough to give an available
/// logit's effective value.
#[derive(Clone, Copy)]
pub(crate) struct Unmasked<S> {
    shift: S,
    has_pos_inf: bool,
}

impl<S: Scalar> Unmasked<S> {
    /// [`Support::effective`] of an allowed logit.
    #[inline]
    pub(crate) fn effective(self, logit: S) -> Option<S> {
        if logit.is_neg_infinity() {
            return None;
        }
        self.not_neg_infinite(logit)
    }

    /// [`effective`](Self::effective) of a logit that is not `-inf`: apart, so that
    /// [`Support::effective`] tests `-inf` together with the mask, as it did before this type
    /// existed (joined here, the M3's soft-float masked loop was 8 bytes deeper and 2% slower).
    #[inline(always)]
    fn not_neg_infinite(self, logit: S) -> Option<S> {
        match (self.has_pos_inf, logit.is_pos_infinity()) {
            (true, true) => Some(S::ZERO),
            (true, false) => None,
            // The difference of two finite values can still overflow to -inf in f32 (logits near
            // ±f32::MAX): such an action has probability zero at f32 precision anyway, and -inf
            // plus finite noise is -inf, never NaN.
            _ => Some(logit - self.shift),
        }
    }
}

/// Checks logits and an optional mask (`true` = allowed) and finds the shift.
///
/// Errors: no logits → [`Error::Empty`]; mask of another length → [`Error::LengthMismatch`];
/// a NaN logit → [`Error::Nan`] (even where masked: a NaN is a bug upstream that the caller
/// should hear about); nothing available → [`Error::AllMasked`].
///
/// One cheap pass first: a running maximum and a running sum of every logit (on a core
/// without an FPU, a test of each logit's bits instead: [`AllFinite`]). The sum is
/// finite only if every logit is (a NaN makes it NaN, an infinity infinite or NaN), and then
/// no logit is masked by `-inf` and none is `+inf`: the maximum over the allowed ones is the
/// shift, and the allowed ones are the available ones. Anything else (a non-finite logit, an
/// `f32` sum that overflows, nothing allowed) takes [`exact_support`], which reports today's
/// errors in today's order; both give the same [`Support`] wherever both apply. Without a mask
/// on a host with vector units, [`lane_max_if_finite`] takes the cheap pass's place.
#[inline]
pub(crate) fn support<'a, S: Scalar>(
    logits: &'a [S],
    allowed: Option<&'a [bool]>,
) -> Result<Support<'a, S>, Error> {
    support_comparing::<S, false>(logits, allowed)
}

/// [`support`], whose cheap pass without a mask compares the logits by their bits where
/// each comparison would be a library call (see [`running_max`]): for `topk::top_k` and
/// `concrete::sample`. The same [`Support`] and the same errors.
#[inline]
pub(crate) fn support_by_bits<'a, S: Scalar>(
    logits: &'a [S],
    allowed: Option<&'a [bool]>,
) -> Result<Support<'a, S>, Error> {
    support_comparing::<S, true>(logits, allowed)
}

/// The body of [`support`] and [`support_by_bits`]: the shared copy when optimised for size,
/// else [`scan_support`] with its cheap pass comparing by bits if `BY_BITS`.
#[inline(always)]
fn support_comparing<'a, S: Scalar, const BY_BITS: bool>(
    logits: &'a [S],
    allowed: Option<&'a [bool]>,
) -> Result<Support<'a, S>, Error> {
    if cfg!(gumbel_small) && S::GENERAL_LOOPS_WHEN_SMALL {
        shared_support(logits, allowed)
    } else {
        scan_support::<S, BY_BITS>(logits, allowed)
    }
}

/// [`support`], one out-of-line copy for every sampler (optimised for size, where that is
/// smaller: [`GENERAL_LOOPS_WHEN_SMALL`](crate::scalar::sealed::Sealed::GENERAL_LOOPS_WHEN_SMALL)).
#[inline(never)]
fn shared_support<'a, S: Scalar>(
    logits: &'a [S],
    allowed: Option<&'a [bool]>,
) -> Result<Support<'a, S>, Error> {
    scan_support::<S, false>(logits, allowed)
}

/// [`support`] itself, its cheap pass [`running_max`]`::<BY_BITS>` without a mask.
#[inline(always)]
fn scan_support<'a, S: Scalar, const BY_BITS: bool>(
    logits: &'a [S],
    allowed: Option<&'a [bool]>,
) -> Result<Support<'a, S>, Error> {
    let Some(&first) = logits.first() else {
        return Err(Error::Empty);
    };
    if S::VECTORISED_NOISE && allowed.is_none() && logits.len() >= LANES_FROM {
        if let Some(shift) = lane_max_if_finite(logits) {
            return Ok(Support {
                logits,
                allowed,
                shift,
                has_pos_inf: false,
                available: logits.len(),
            });
        }
        return exact_support(logits, allowed);
    }
    let mut all_finite = AllFinite::<S>::new();
    let (shift, available) = match allowed {
        None => (
            running_max::<S, BY_BITS>(logits, first, &mut all_finite),
            logits.len(),
        ),
        Some(mask) => {
            same_len(logits.len(), mask.len())?;
            if S::MASK_SCAN_OUT_OF_LINE {
                masked_max_out_of_line(logits, mask, first, &mut all_finite)
            } else {
                masked_max(logits, mask, first, &mut all_finite)
            }
        }
    };
    if all_finite.holds() && available > 0 {
        Ok(Support {
            logits,
            allowed,
            shift,
            has_pos_inf: false,
            available,
        })
    } else {
        exact_support(logits, allowed)
    }
}

/// The largest allowed logit (the first of equal ones; `first` if none is allowed) and the
/// number of allowed ones, every logit [`add`](AllFinite::add)ed to `all_finite`: the cheap
/// pass with a mask (of the logits' length).
#[inline(always)]
fn masked_max<S: Scalar>(
    logits: &[S],
    mask: &[bool],
    first: S,
    all_finite: &mut AllFinite<S>,
) -> (S, usize) {
    let mut shift = first;
    let mut available = 0;
    for (&logit, &allowed) in logits.iter().zip(mask) {
        if allowed {
            if available == 0 || logit > shift {
                shift = logit;
            }
            available += 1;
        }
        all_finite.add(logit);
    }
    (shift, available)
}

/// [`masked_max`] in a frame of its own
/// ([`MASK_SCAN_OUT_OF_LINE`](crate::scalar::sealed::Sealed::MASK_SCAN_OUT_OF_LINE)).
#[inline(never)]
fn masked_max_out_of_line<S: Scalar>(
    logits: &[S],
    mask: &[bool],
    first: S,
    all_finite: &mut AllFinite<S>,
) -> (S, usize) {
    masked_max(logits, mask, first, all_finite)
}

/// The largest of `logits` (the first of equal ones; `first` is the first logit), each
/// [`add`](AllFinite::add)ed to `all_finite`: the cheap pass without a mask.
///
/// With `BY_BITS`, the logits are compared by [`greater_not_nan`] (by their bits where each
/// comparison of `f32`s is a library call): the same decisions wherever the maximum is used
/// (every logit is finite; a NaN sends them the exact way), with no call, so no logit the pass loaded is held in the frame across one. For
/// the callers where that was measured to help (K = 16, `f32`): `categorical::sample`'s
/// [`finite_support`], 5,690 to 5,428 instructions on the M3 and 8,582 to 8,322 on the M0 at
/// the same stack; `topk::top_k` (through [`support_by_bits`]), peak stack 216 to 208 bytes
/// on the M3 and 308 to 284 on the M0, in fewer instructions; `concrete::sample` (through
/// [`support_by_bits`], with its noise drawn words first), peak stack 216 to 192 bytes on the
/// M3. Not in [`support`]: there it took the Concrete VJP's frame on the M3 one pair of words
/// deeper (472 to 480 bytes).
#[inline(always)]
fn running_max<S: Scalar, const BY_BITS: bool>(
    logits: &[S],
    first: S,
    all_finite: &mut AllFinite<S>,
) -> S {
    let mut shift = first;
    let mut visit = |logit: S| {
        let greater = if BY_BITS {
            greater_not_nan(logit, shift)
        } else {
            logit > shift
        };
        if greater {
            shift = logit;
        }
        all_finite.add(logit);
    };
    if cfg!(gumbel_small) {
        logits.iter().for_each(|&logit| visit(logit));
    } else {
        // Four at a time (the same operations in the same order, less loop overhead).
        let mut quads = logits.chunks_exact(4);
        for quad in &mut quads {
            quad.iter().for_each(|&logit| visit(logit));
        }
        quads.remainder().iter().for_each(|&logit| visit(logit));
    }
    shift
}

/// [`support`] without a mask, where its cheap pass settles it (every logit finite; then the
/// support is plain), `None` where it takes [`exact_support`]: for a caller that takes that
/// path elsewhere (`categorical::sample`, see
/// [`EXACT_SAMPLE_TAIL_CALLED`](crate::scalar::sealed::Sealed::EXACT_SAMPLE_TAIL_CALLED)).
#[inline(always)]
pub(crate) fn finite_support<S: Scalar>(logits: &[S]) -> Result<Option<Support<'_, S>>, Error> {
    let Some(&first) = logits.first() else {
        return Err(Error::Empty);
    };
    let shift = if S::VECTORISED_NOISE && logits.len() >= LANES_FROM {
        lane_max_if_finite(logits)
    } else {
        let mut all_finite = AllFinite::<S>::new();
        let shift = running_max::<S, true>(logits, first, &mut all_finite);
        all_finite.holds().then_some(shift)
    };
    Ok(shift.map(|shift| Support {
        logits,
        allowed: None,
        shift,
        has_pos_inf: false,
        available: logits.len(),
    }))
}

/// Whether every logit [`add`](Self::add)ed is finite: by their running sum (finite only if
/// every term is, and an `f32` sum that overflows only sends finite logits the exact way,
/// which gives the same [`Support`]), or, where each addition is a library call
/// ([`SOFT_FLOAT`](crate::scalar::sealed::Sealed::SOFT_FLOAT), `f32` alone), by the largest
/// of their bits with the sign cleared, which is at least `0x7F80_0000` exactly for an
/// infinity or a NaN.
struct AllFinite<S> {
    sum: S,
    largest_bits: u32,
}

impl<S: Scalar> AllFinite<S> {
    #[inline(always)]
    fn new() -> Self {
        Self {
            // From `-0` (in `f32`; 0 in fixed point), the sum's identity, so the compiler
            // starts from the first logit: there is no `+0` to keep in a register, which the
            // Concrete sampler held from here through its noise loop (on the M4F one saved
            // floating-point register pair more: 200 against 208 bytes at K = 16). Whether
            // the sum is finite does not depend on it.
            sum: -S::ZERO,
            largest_bits: 0,
        }
    }

    #[inline(always)]
    fn add(&mut self, logit: S) {
        if S::SOFT_FLOAT {
            self.largest_bits = self.largest_bits.max(logit.to_bits() & 0x7FFF_FFFF);
        } else {
            self.sum += logit;
        }
    }

    #[inline(always)]
    fn holds(&self) -> bool {
        if S::SOFT_FLOAT {
            self.largest_bits < 0x7F80_0000
        } else {
            self.sum.is_finite()
        }
    }
}

/// The fewest logits for which [`lane_max_if_finite`] is faster than the running pass (on an
/// x86-64 host: it needs a full row of lanes to pay for combining them).
const LANES_FROM: usize = 8;

/// [`support`]'s pass without a mask on a host with vector units ([`VECTORISED_NOISE`](crate::scalar::sealed::Sealed::VECTORISED_NOISE)):
/// the largest logit if every logit is finite, `None` otherwise. Eight independent lanes of
/// maximum and finiteness instead of one running maximum and one running sum, whose chains of
/// dependent additions and comparisons bound the host's speed. The maximum of finite values
/// does not depend on the order it is taken in, except for the sign of a zero: the running
/// maximum keeps the first logit that reaches it, and so does this (the first zero, when the
/// maximum is zero), so the shift has the same bits.
#[inline(always)]
fn lane_max_if_finite<S: Scalar>(logits: &[S]) -> Option<S> {
    let first = *logits.first()?;
    let mut largest = [first; LANES];
    // `x - x` is 0 for a finite `x` and NaN for an infinity or a NaN, and a NaN sticks.
    let mut poison = [S::ZERO; LANES];
    let mut visit = |lane: usize, logit: S| {
        if let (Some(max), Some(p)) = (largest.get_mut(lane), poison.get_mut(lane)) {
            *max = larger(*max, logit);
            #[allow(clippy::eq_op)] // `x - x` is the test itself (see above).
            {
                *p += logit - logit;
            }
        }
    };
    let mut chunks = logits.chunks_exact(LANES);
    for chunk in &mut chunks {
        for lane in 0..LANES {
            visit(lane, chunk.get(lane).copied().unwrap_or(first));
        }
    }
    for (lane, &logit) in chunks.remainder().iter().enumerate() {
        visit(lane, logit);
    }
    if poison.iter().any(|&p| p != S::ZERO) {
        return None;
    }
    let max = max_of_lanes(largest);
    if max == S::ZERO {
        return logits.iter().copied().find(|&logit| logit == S::ZERO);
    }
    Some(max)
}

/// [`support`] one logit at a time, with every rule spelled out: the path for non-finite
/// logits and for the errors.
#[cold]
pub(crate) fn exact_support<'a, S: Scalar>(
    logits: &'a [S],
    allowed: Option<&'a [bool]>,
) -> Result<Support<'a, S>, Error> {
    exact_support_inline(logits, allowed)
}

/// [`exact_support`] inlined, for a caller that would otherwise hold the returned support in
/// its frame (`categorical::sample_exact`).
#[inline(always)]
pub(crate) fn exact_support_inline<'a, S: Scalar>(
    logits: &'a [S],
    allowed: Option<&'a [bool]>,
) -> Result<Support<'a, S>, Error> {
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

/// [`support`], and that `action` is one of the available actions
/// ([`Error::UnavailableAction`] otherwise: out of range, masked, or finite while some logit
/// is `+inf`).
pub(crate) fn support_with_action<'a, S: Scalar>(
    logits: &'a [S],
    allowed: Option<&'a [bool]>,
    action: usize,
) -> Result<Support<'a, S>, Error> {
    let support = support(logits, allowed)?;
    if support.effective(action).is_none() {
        return Err(Error::UnavailableAction { index: action });
    }
    Ok(support)
}

#[inline]
fn is_allowed(allowed: Option<&[bool]>, index: usize) -> bool {
    allowed.is_none_or(|mask| mask.get(index).copied().unwrap_or(false))
}

impl<'a, S: Scalar> Support<'a, S> {
    /// The logits this support was computed from.
    #[inline]
    pub(crate) fn logits(&self) -> &'a [S] {
        self.logits
    }

    /// The number of logits (available or not).
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.logits.len()
    }

    /// The effective logit of action `index`: `None` if it cannot be drawn, otherwise the logit
    /// minus the shift (at most 0). When some logit is `+inf`, the `+inf` logits become 0 and all
    /// finite ones unavailable: the limit of the softmax, which puts all its mass on them,
    /// shared equally.
    #[inline]
    pub(crate) fn effective(&self, index: usize) -> Option<S> {
        let logit = *self.logits.get(index)?;
        if !is_allowed(self.allowed, index) || logit.is_neg_infinity() {
            return None;
        }
        self.unmasked().not_neg_infinite(logit)
    }

    /// What [`effective`](Self::effective) needs of a support without a mask, apart from it
    /// (so that a caller can let the support go before its loop).
    #[inline]
    pub(crate) fn unmasked(&self) -> Unmasked<S> {
        Unmasked {
            shift: self.shift,
            has_pos_inf: self.has_pos_inf,
        }
    }

    /// `true` when every action is available and no logit is `+inf` (no mask, no `-inf`, no
    /// `+inf`): then the effective logit of every action is `logit - shift`, and the samplers
    /// run their tight loops. Always `false` where the general loops alone are smaller when
    /// optimised for size (`Sealed::GENERAL_LOOPS_WHEN_SMALL`): they give the same values and
    /// decisions.
    #[inline]
    pub(crate) fn is_plain(&self) -> bool {
        !(cfg!(gumbel_small) && S::GENERAL_LOOPS_WHEN_SMALL)
            && self.available == self.logits.len()
            && !self.has_pos_inf
    }

    /// The largest finite available logit, subtracted from every logit before noise is added.
    #[inline]
    pub(crate) fn shift(&self) -> S {
        self.shift
    }

    /// For ranking all available actions (top-k): `None` if masked, otherwise whether the logit
    /// is `+inf` (such actions rank above every finite one, among themselves by noise alone, so
    /// their value is 0) and the logit minus the shift.
    #[inline]
    pub(crate) fn ranked(&self, index: usize) -> Option<(bool, S)> {
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

    /// Checks that another argument has one value per logit ([`Error::LengthMismatch`]).
    #[inline]
    pub(crate) fn same_len(&self, found: usize) -> Result<(), Error> {
        same_len(self.logits.len(), found)
    }
}

/// `found == expected`, else [`Error::LengthMismatch`].
#[inline]
pub(crate) fn same_len(expected: usize, found: usize) -> Result<(), Error> {
    if found == expected {
        Ok(())
    } else {
        Err(Error::LengthMismatch { expected, found })
    }
}

/// Every value finite: the first NaN is [`Error::Nan`], the first infinity
/// [`Error::NotFinite`], each with its index.
#[inline]
pub(crate) fn finite<S: Scalar>(values: &[S]) -> Result<(), Error> {
    // One test per value; which error only once one fails.
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(index) if values.get(index).is_some_and(|v| v.is_nan()) => Err(Error::Nan { index }),
        Some(index) => Err(Error::NotFinite { index }),
    }
}

/// One scalar argument finite ([`Error::Nan`] / [`Error::NotFinite`] with index 0).
#[inline]
pub(crate) fn finite_scalar<S: Scalar>(value: S) -> Result<S, Error> {
    finite(&[value]).map(|()| value)
}

/// A slice of exactly `N` finite values as an array ([`Error::LengthMismatch`],
/// [`Error::Nan`], [`Error::NotFinite`]).
pub(crate) fn finite_array<S: Scalar, const N: usize>(values: &[S]) -> Result<[S; N], Error> {
    let array: [S; N] = values.try_into().map_err(|_| Error::LengthMismatch {
        expected: N,
        found: values.len(),
    })?;
    finite(&array)?;
    Ok(array)
}

/// One scalar argument not NaN ([`Error::Nan`] with index 0); infinities pass.
#[inline]
pub(crate) fn not_nan<S: Scalar>(value: S) -> Result<S, Error> {
    if value.is_nan() {
        Err(Error::Nan { index: 0 })
    } else {
        Ok(value)
    }
}
