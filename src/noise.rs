//! Noise from raw random bits: uniform on the open interval (0, 1), Gumbel, logistic and
//! exponential variates.
//!
//! Every variate is made from exactly one 32-bit word (`Rng::next_u32`), so a stream of words
//! maps to a stream of variates the same way on every target. No word, including 0 and
//! `u32::MAX`, gives 0, 1, ±inf or NaN.
//!
//! # The drawing rule
//! Every sampler and estimator of the crate draws its noise through this module, by one rule:
//! **exactly one word per logit, in index order** (masked logits included), and only after its
//! input has been validated. [`fill_gumbel`] applies it to a buffer of variates; the lazy
//! Gumbel-max of [`categorical`](crate::categorical) and [`topk`](crate::topk) applies it to
//! words whose variate is computed only when a decision needs it (a crate-internal
//! interface), so both consume the generator identically.
//!
//! # `f32`: from a word to a variate
//! The top bit of the word picks a half of (0, 1) and the low 31 bits `m` give the distance
//! `t = (2m + 1)·2^-33` (rounded to `f32`) from the nearer end: `U = t` or `U = 1 − t`. The
//! logarithms are taken of `t` itself (`ln t`, or `ln_1p(−t)` for `ln(1 − t)`), so *both* tails
//! are resolved to 2^-33 — a plain 24-bit uniform stops at 2^-24, which cuts the Gumbel tail at
//! 16.6 instead of 22.9. The word 0 gives the smallest `U`, the word 2^31 the largest, the word
//! `u32::MAX` gives `U = 1/2`.
//!
//! | variate | range over all 2^32 words | error against the exact variate of the same `U` |
//! |---|---|---|
//! | [`uniform`] (23 bits: `((w >> 8) \| 1)·2^-24`) | `[2^-24, 1 − 2^-24]` | exact |
//! | [`exponential`] `−ln U` | `[2^-33, 33 ln 2 ≈ 22.87]` | `≤ 2^-23·E` |
//! | [`gumbel`] `−ln(−ln U)` | `[−3.13, 22.87]` | `≤ 2^-23·(1 + \|G\|)` |
//! | [`logistic`] `ln U − ln(1 − U)` | `[−22.87, 22.87]`, exactly symmetric | `≤ 2^-23·(\|ln t\| + \|ln(1−t)\|) + 2^-24·\|L\|` |
//!
//! The logarithms are `libm`'s `logf` and `log1pf`, bit for bit (the crate runs a branch-free
//! copy of their algorithms on the arguments a word can give, proven identical at every one),
//! so the bounds follow from their 1-ulp accuracy; a unit test evaluates every kernel at every
//! value `t` can take, in both halves, against f64, and proves them. The fixed-point type
//! documents its own kernels.

use rand_core::Rng;

use crate::Scalar;

/// A uniform variate on the open interval (0, 1).
#[inline]
pub fn uniform<S: Scalar, R: Rng + ?Sized>(rng: &mut R) -> S {
    S::uniform_from_word(rng.next_u32())
}

/// A standard Gumbel variate, `-ln(-ln U)`: location 0, scale 1, CDF `exp(-exp(-g))`.
#[inline]
pub fn gumbel<S: Scalar, R: Rng + ?Sized>(rng: &mut R) -> S {
    S::gumbel_from_word(rng.next_u32())
}

/// A standard logistic variate, `ln U - ln(1 - U)`: CDF `1 / (1 + e^-l)`.
#[inline]
pub fn logistic<S: Scalar, R: Rng + ?Sized>(rng: &mut R) -> S {
    S::logistic_from_word(rng.next_u32())
}

/// A standard exponential variate, `-ln U`: CDF `1 - e^-x`.
#[inline]
pub fn exponential<S: Scalar, R: Rng + ?Sized>(rng: &mut R) -> S {
    S::exponential_from_word(rng.next_u32())
}

/// Fills `out` with independent standard Gumbel variates, one word each, in index order: the
/// noise of every sampler that needs all of it (Concrete, `sample_with_noise`, the estimators).
#[inline]
pub fn fill_gumbel<S: Scalar, R: Rng + ?Sized>(rng: &mut R, out: &mut [S]) {
    fill_gumbel_inlined(rng, out);
}

/// [`fill_gumbel`], always inlined: for a sampler whose own frame already holds the registers
/// the kernel uses, so that the noise adds no frame below it.
#[inline(always)]
pub(crate) fn fill_gumbel_inlined<S: Scalar, R: Rng + ?Sized>(rng: &mut R, out: &mut [S]) {
    if S::VECTORISED_NOISE {
        // Every word first (the generator is serial), kept as the slots' bits, then every
        // variate in one loop of independent kernel calls, which the compiler vectorises.
        fill_words(rng, out);
        for g in out.iter_mut() {
            *g = S::gumbel_inline(g.to_bits());
        }
        return;
    }
    if S::SOFT_FLOAT_SPEED {
        // Every word first here too, so that the generator's state is not held through the
        // kernel's library calls: the Concrete sampler's peak stack at K = 16 (measured with
        // `boards/cost-report.sh`, with its validation comparing by bits) went from 216 to 192
        // bytes on the M3 and from 300 to 292 on the M0, in fewer instructions. (Without an
        // FPU an `f32` lives in integer registers: a word parked in a slot keeps its bits.)
        fill_words(rng, out);
        for g in out.iter_mut() {
            *g = GumbelWord(g.to_bits()).variate();
        }
        return;
    }
    // Nothing to vectorise (an FPU's Cortex-M, or the 64-bit integer kernels of fixed point):
    // each variate as its word arrives ([`GumbelNoise::variate`]).
    let count = out.len();
    for (g, word) in out.iter_mut().zip(gumbel_words(rng, count)) {
        *g = word.variate();
    }
}

/// Gumbel noise as a sampler's pass reads it: a variate already computed (`S` itself), or a
/// drawn [`GumbelWord`] whose variate is computed where the pass needs it, so that a sampler
/// can add each variate to its logit as the word arrives instead of storing the noise first.
pub(crate) trait GumbelNoise<S> {
    /// The Gumbel variate.
    fn variate(self) -> S;
}

impl<S: Scalar> GumbelNoise<S> for S {
    #[inline(always)]
    fn variate(self) -> S {
        self
    }
}

impl<S: Scalar> GumbelNoise<S> for GumbelWord {
    /// By the kernel the lazy Gumbel-max calls for its exact values. Optimised for speed it is
    /// inlined here (forced: in a sampler's frame, such as Concrete's, a call would add the
    /// kernel's frame below it); for size (`opt-level = "s"`, see `build.rs`) the two share one
    /// copy (588 bytes less on the M4F).
    #[inline(always)]
    fn variate(self) -> S {
        if S::SHARED_GUMBEL_KERNEL {
            S::gumbel_from_word(self.0)
        } else {
            S::gumbel_inline(self.0)
        }
    }
}

/// Stores the words of `out.len()` logits, by the drawing rule, as the bits of its slots
/// ([`Scalar::to_bits`] gives each word back: nothing but a move touches them).
#[inline(always)]
fn fill_words<S: Scalar, R: Rng + ?Sized>(rng: &mut R, out: &mut [S]) {
    let count = out.len();
    for (slot, word) in out.iter_mut().zip(words(rng, count)) {
        *slot = S::from_bits(word);
    }
}

/// The drawing rule itself: `count` words, one per logit, in index order.
#[inline]
fn words<R: Rng + ?Sized>(rng: &mut R, count: usize) -> impl Iterator<Item = u32> + '_ {
    words_drawn::<R, false>(rng, count)
}

/// [`words`], each drawn by a call to [`next_word`] if `BY_CALL`.
#[inline]
fn words_drawn<R: Rng + ?Sized, const BY_CALL: bool>(
    rng: &mut R,
    count: usize,
) -> impl Iterator<Item = u32> + '_ {
    (0..count).map(|_| {
        if BY_CALL {
            next_word(rng)
        } else {
            rng.next_u32()
        }
    })
}

/// A drawn word whose Gumbel variate has not been computed yet: the lazy Gumbel-max reads its
/// bracket (a table lookup) and asks for the variate only when the bracket cannot decide.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GumbelWord(u32);

impl GumbelWord {
    /// The word itself (for the host's blocks of words, which start zeroed).
    #[inline(always)]
    pub(crate) const fn from_bits(word: u32) -> Self {
        Self(word)
    }

    /// `(least, greatest)` Gumbel variate of every word sharing this word's top bits: the
    /// variate lies between them.
    #[inline(always)]
    pub(crate) fn bracket<S: Scalar>(self) -> (S, S) {
        S::gumbel_bracket(self.0)
    }

    /// The variate itself, exactly what [`gumbel`] would have returned for this word. Out of
    /// line, with the kernel inlined (one frame below the caller's, not two): it is the rare
    /// case of the lazy argmax's loop.
    #[inline(never)]
    pub(crate) fn value<S: Scalar>(self) -> S {
        S::gumbel_inline(self.0)
    }

    /// [`value`](Self::value), inlined: for a caller that is itself the out-of-line rare case
    /// (`categorical`'s overlap of brackets), or whose frame already saves the registers the
    /// kernel needs (`topk`'s loop on the M3).
    #[inline(always)]
    pub(crate) fn value_inline<S: Scalar>(self) -> S {
        S::gumbel_inline(self.0)
    }
}

/// [`GumbelWord::value`] of `word`: the out-of-line copy of the Gumbel kernel, for the
/// scalars' [`Scalar::gumbel_from_word`] where they share it (fixed point, whose kernel is too
/// large to inline; `f32` optimised for size).
#[inline]
pub(crate) fn shared_gumbel<S: Scalar>(word: u32) -> S {
    GumbelWord(word).value()
}

/// The words of `count` logits for the lazy Gumbel-max, by the same rule as [`fill_gumbel`].
#[inline]
pub(crate) fn gumbel_words<R: Rng + ?Sized>(
    rng: &mut R,
    count: usize,
) -> impl Iterator<Item = GumbelWord> + '_ {
    words(rng, count).map(GumbelWord)
}

/// [`gumbel_words`] for the loops whose frames the generator's state would crowd (the lazy
/// Gumbel-max's, of [`categorical`](crate::categorical) and [`topk`](crate::topk), and the
/// Concrete sampler's fused noise loop): the same words, each drawn by a call
/// ([`next_word`]) where `drawn_by_call` (a function only where `cfg(gumbel_soft_float_speed)`).
#[inline]
// `S` chooses only where `SOFT_FLOAT_SPEED` can hold (see the body).
#[cfg_attr(
    not(gumbel_soft_float_speed),
    expect(clippy::extra_unused_type_parameters)
)]
pub(crate) fn lazy_gumbel_words<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    count: usize,
) -> impl Iterator<Item = GumbelWord> + '_ {
    // Only where `SOFT_FLOAT_SPEED` can hold (`cfg(gumbel_soft_float_speed)`): elsewhere the
    // form before it, so that the cores with an FPU and the host keep their machine code.
    #[cfg(gumbel_soft_float_speed)]
    let words = (0..count).map(move |_| {
        if drawn_by_call::<S>() {
            next_word(rng)
        } else {
            rng.next_u32()
        }
    });
    #[cfg(not(gumbel_soft_float_speed))]
    let words = words_drawn::<R, DRAWN_BY_CALL>(rng, count);
    words.map(GumbelWord)
}

/// Whether [`lazy_gumbel_words`] draws each word by a call for the scalar `S`: wherever
/// [`DRAWN_BY_CALL`] says so, and for `f32` on any core without an FPU optimised for speed
/// (the cfg; [`SOFT_FLOAT_SPEED`](crate::scalar::sealed::Sealed::SOFT_FLOAT_SPEED)): there every
/// operation of the loop is a library call already, whose argument registers the generator's state competes
/// with across each call. On the M3 (13 registers, where `DRAWN_BY_CALL` does not hold) the
/// peak stack per call at K = 16 falls from 192 to 168 bytes for `categorical::sample`, 224
/// to 216 for `topk::top_k` (4 of 16) and 240 to 224 for `concrete::sample`, in no more
/// instructions (5,683 to 5,682, 35,065 to 34,948, 78,437 to 78,050).
#[cfg(gumbel_soft_float_speed)]
#[inline(always)]
fn drawn_by_call<S: Scalar>() -> bool {
    DRAWN_BY_CALL || S::SOFT_FLOAT_SPEED
}

/// Whether [`lazy_gumbel_words`] draws each word by a call: on ARMv6-M (Cortex-M0, M0+; no
/// 32-bit atomics) optimised for speed. Inlined, a generator's state (four words for
/// xoshiro128++) holds registers through the whole loop, and with 8 low registers the loop
/// spills: the lazy Gumbel-max's frame, which lies above the exact variate's kernel, is 24
/// bytes deeper (96 against 72 for fixed point on the M0, 144 against 120 for `f32`), for
/// about 18 instructions per word less. The `f32` Concrete sampler's peak is 16 bytes lower
/// by a call (284 against 300 at K = 16), and no slower; the fixed-point one's is not lower
/// (another part of its frame sets it), for 0.6% more instructions (a loop for each scalar
/// would change how the sampler is inlined, and the `f32` one's peak with it).
const DRAWN_BY_CALL: bool = cfg!(all(
    target_arch = "arm",
    not(target_has_atomic = "32"),
    not(gumbel_small)
));

/// `rng.next_u32()`, out of line: the generator's state stays in the generator.
#[inline(never)]
fn next_word<R: Rng + ?Sized>(rng: &mut R) -> u32 {
    rng.next_u32()
}
