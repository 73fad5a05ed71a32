//! The samplers and estimators, each as an `_f32` and a `_fixed` (Q16.16 `int32_t`) C function
//! over caller-owned buffers. Each C function is a one-line call of a generic body here; the
//! body borrows the buffers (see `memory`) and calls the library function of the same name,
//! whose documentation is the reference for what it computes.
//!
//! Conventions: `logits` has `len` values, and so do `allowed` (a `bool` mask, or NULL for
//! none), `noise` and every output named `out`, `soft`, `noise` or `upstream`. Temperatures are
//! passed by value and checked on every call.

use gumbel::estimators::{reparam, straight_through};
use gumbel::{binary, categorical, concrete, noise, topk};

use crate::memory::call;
use crate::rng::gumbel_rng;
use crate::scalar::CScalar;
use crate::status::gumbel_status;

/// Fills `out` with noise from `draw`, one random word per value, in order.
///
/// # Safety
/// The pointer rules at the top of `include/gumbel.h`.
unsafe fn fill<C: CScalar>(
    rng: *mut gumbel_rng,
    out: *mut C,
    len: usize,
    draw: fn(&mut gumbel_rng) -> C::S,
) -> gumbel_status {
    call(|b| {
        // SAFETY: forwarded preconditions.
        let (rng, out) = unsafe { (b.rng(rng)?, b.scalars_mut(out, len)?) };
        out.iter_mut().for_each(|v| *v = draw(rng));
        Ok(())
    })
}

/// Uniform variates on the open interval (0, 1) into `out[0..len]` (`noise::uniform`).
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_noise_uniform_f32(
    rng: *mut gumbel_rng,
    out: *mut f32,
    len: usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { fill(rng, out, len, noise::uniform) }
}

/// `gumbel_noise_uniform_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_noise_uniform_fixed(
    rng: *mut gumbel_rng,
    out: *mut i32,
    len: usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { fill(rng, out, len, noise::uniform) }
}

/// Standard Gumbel variates `-ln(-ln U)` into `out[0..len]` (`noise::gumbel`).
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_noise_gumbel_f32(
    rng: *mut gumbel_rng,
    out: *mut f32,
    len: usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { fill(rng, out, len, noise::gumbel) }
}

/// `gumbel_noise_gumbel_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_noise_gumbel_fixed(
    rng: *mut gumbel_rng,
    out: *mut i32,
    len: usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { fill(rng, out, len, noise::gumbel) }
}

/// Standard logistic variates `ln U - ln(1 - U)` into `out[0..len]` (`noise::logistic`): the
/// noise of the binary Concrete and of `gumbel_reparam_binary_*`.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_noise_logistic_f32(
    rng: *mut gumbel_rng,
    out: *mut f32,
    len: usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { fill(rng, out, len, noise::logistic) }
}

/// `gumbel_noise_logistic_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_noise_logistic_fixed(
    rng: *mut gumbel_rng,
    out: *mut i32,
    len: usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { fill(rng, out, len, noise::logistic) }
}

/// Standard exponential variates `-ln U` into `out[0..len]` (`noise::exponential`).
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_noise_exponential_f32(
    rng: *mut gumbel_rng,
    out: *mut f32,
    len: usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { fill(rng, out, len, noise::exponential) }
}

/// `gumbel_noise_exponential_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_noise_exponential_fixed(
    rng: *mut gumbel_rng,
    out: *mut i32,
    len: usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { fill(rng, out, len, noise::exponential) }
}

/// # Safety
/// The pointer rules at the top of `include/gumbel.h`.
unsafe fn categorical_sample<C: CScalar>(
    rng: *mut gumbel_rng,
    logits: *const C,
    len: usize,
    allowed: *const bool,
    noise: *mut C,
    action: *mut usize,
) -> gumbel_status {
    call(|b| {
        // SAFETY: forwarded preconditions.
        let (rng, logits, allowed, action) = unsafe {
            (
                b.rng(rng)?,
                b.scalars(logits, len)?,
                b.mask(allowed, len)?,
                b.out(action)?,
            )
        };
        *action = if noise.is_null() {
            match allowed {
                None => categorical::sample(rng, logits)?,
                Some(allowed) => categorical::sample_masked(rng, logits, allowed)?,
            }
        } else {
            // SAFETY: forwarded precondition.
            let noise = unsafe { b.scalars_mut(noise, len) }?;
            categorical::sample_with_noise(rng, logits, allowed, noise)?
        };
        Ok(())
    })
}

/// Gumbel-max: draws an index with probability `softmax(logits)` into `*action`. An action is
/// masked by `allowed[k] == false` (`allowed` may be NULL) or, in `f32`, by a logit of
/// -INFINITY; it is never drawn. One random word per logit, masked ones included.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_categorical_sample_f32(
    rng: *mut gumbel_rng,
    logits: *const f32,
    len: usize,
    allowed: *const bool,
    action: *mut usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { categorical_sample(rng, logits, len, allowed, core::ptr::null_mut(), action) }
}

/// `gumbel_categorical_sample_f32` in Q16.16 (mask with `allowed`: fixed point has no
/// infinity).
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_categorical_sample_fixed(
    rng: *mut gumbel_rng,
    logits: *const i32,
    len: usize,
    allowed: *const bool,
    action: *mut usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { categorical_sample(rng, logits, len, allowed, core::ptr::null_mut(), action) }
}

/// As `gumbel_categorical_sample_f32`, and writes the Gumbel noise it drew into
/// `noise[0..len]`: the straight-through backward pass and the Concrete VJP take it.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_categorical_sample_with_noise_f32(
    rng: *mut gumbel_rng,
    logits: *const f32,
    len: usize,
    allowed: *const bool,
    noise: *mut f32,
    action: *mut usize,
) -> gumbel_status {
    if noise.is_null() {
        return gumbel_status::GUMBEL_ERR_NULL_POINTER;
    }
    // SAFETY: forwarded preconditions.
    unsafe { categorical_sample(rng, logits, len, allowed, noise, action) }
}

/// `gumbel_categorical_sample_with_noise_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_categorical_sample_with_noise_fixed(
    rng: *mut gumbel_rng,
    logits: *const i32,
    len: usize,
    allowed: *const bool,
    noise: *mut i32,
    action: *mut usize,
) -> gumbel_status {
    if noise.is_null() {
        return gumbel_status::GUMBEL_ERR_NULL_POINTER;
    }
    // SAFETY: forwarded preconditions.
    unsafe { categorical_sample(rng, logits, len, allowed, noise, action) }
}

/// # Safety
/// The pointer rules at the top of `include/gumbel.h`.
unsafe fn top_k<C: CScalar>(
    rng: *mut gumbel_rng,
    logits: *const C,
    len: usize,
    allowed: *const bool,
    indices: *mut usize,
    keys: *mut C,
    count: usize,
) -> gumbel_status {
    call(|b| {
        // SAFETY: forwarded preconditions.
        let (rng, logits, allowed, indices, keys) = unsafe {
            (
                b.rng(rng)?,
                b.scalars(logits, len)?,
                b.mask(allowed, len)?,
                b.slice_mut(indices, count)?,
                b.scalars_mut(keys, count)?,
            )
        };
        Ok(topk::top_k(rng, logits, allowed, indices, keys)?)
    })
}

/// Gumbel-top-k: `count` distinct indices without replacement into `indices[0..count]`, most
/// likely first on average (Plackett-Luce order), and their perturbed logits, decreasing, into
/// `keys[0..count]`. Masks as `gumbel_categorical_sample_f32`; more indices than unmasked
/// actions is `GUMBEL_ERR_TOO_FEW_ACTIONS`.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_top_k_f32(
    rng: *mut gumbel_rng,
    logits: *const f32,
    len: usize,
    allowed: *const bool,
    indices: *mut usize,
    keys: *mut f32,
    count: usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { top_k(rng, logits, len, allowed, indices, keys, count) }
}

/// `gumbel_top_k_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_top_k_fixed(
    rng: *mut gumbel_rng,
    logits: *const i32,
    len: usize,
    allowed: *const bool,
    indices: *mut usize,
    keys: *mut i32,
    count: usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { top_k(rng, logits, len, allowed, indices, keys, count) }
}

/// Which relaxed sample a Concrete body computes.
#[derive(Clone, Copy)]
enum Relaxed {
    /// `x = softmax((logits + G) / λ)`.
    Sample,
    /// `y = log x`.
    LogSample,
    /// The straight-through pair: `x`, and the hard index written here.
    StraightThrough(*mut usize),
}

/// # Safety
/// The pointer rules at the top of `include/gumbel.h`.
unsafe fn concrete_sample<C: CScalar>(
    rng: *mut gumbel_rng,
    logits: *const C,
    len: usize,
    allowed: *const bool,
    temperature: C,
    out: *mut C,
    which: Relaxed,
) -> gumbel_status {
    call(|b| {
        let temperature = temperature.temperature()?;
        // SAFETY: forwarded preconditions.
        let (rng, logits, allowed, out) = unsafe {
            (
                b.rng(rng)?,
                b.scalars(logits, len)?,
                b.mask(allowed, len)?,
                b.scalars_mut(out, len)?,
            )
        };
        match which {
            Relaxed::Sample => {
                concrete::sample(rng, logits, allowed, temperature, out)?;
            }
            Relaxed::LogSample => {
                concrete::sample_log(rng, logits, allowed, temperature, out)?;
            }
            Relaxed::StraightThrough(hard) => {
                // SAFETY: forwarded precondition.
                let hard = unsafe { b.out(hard) }?;
                *hard = straight_through::sample(rng, logits, allowed, temperature, out)?;
            }
        }
        Ok(())
    })
}

/// Concrete (Gumbel-Softmax): a relaxed one-hot sample `softmax((logits + G) / temperature)`
/// into `out[0..len]`; masked actions get exactly 0. At small temperatures coordinates
/// underflow to 0: use `gumbel_concrete_sample_log_f32` there.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_concrete_sample_f32(
    rng: *mut gumbel_rng,
    logits: *const f32,
    len: usize,
    allowed: *const bool,
    temperature: f32,
    out: *mut f32,
) -> gumbel_status {
    let which = Relaxed::Sample;
    // SAFETY: forwarded preconditions.
    unsafe { concrete_sample(rng, logits, len, allowed, temperature, out, which) }
}

/// `gumbel_concrete_sample_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_concrete_sample_fixed(
    rng: *mut gumbel_rng,
    logits: *const i32,
    len: usize,
    allowed: *const bool,
    temperature: i32,
    out: *mut i32,
) -> gumbel_status {
    let which = Relaxed::Sample;
    // SAFETY: forwarded preconditions.
    unsafe { concrete_sample(rng, logits, len, allowed, temperature, out, which) }
}

/// ExpConcrete: the log of a Concrete sample, `log softmax((logits + G) / temperature)`, into
/// `out[0..len]`; finite at any temperature. Masked actions get -INFINITY (in Q16.16:
/// INT32_MIN).
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_concrete_sample_log_f32(
    rng: *mut gumbel_rng,
    logits: *const f32,
    len: usize,
    allowed: *const bool,
    temperature: f32,
    out: *mut f32,
) -> gumbel_status {
    let which = Relaxed::LogSample;
    // SAFETY: forwarded preconditions.
    unsafe { concrete_sample(rng, logits, len, allowed, temperature, out, which) }
}

/// `gumbel_concrete_sample_log_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_concrete_sample_log_fixed(
    rng: *mut gumbel_rng,
    logits: *const i32,
    len: usize,
    allowed: *const bool,
    temperature: i32,
    out: *mut i32,
) -> gumbel_status {
    let which = Relaxed::LogSample;
    // SAFETY: forwarded preconditions.
    unsafe { concrete_sample(rng, logits, len, allowed, temperature, out, which) }
}

/// # Safety
/// The pointer rules at the top of `include/gumbel.h`.
unsafe fn concrete_from_noise<C: CScalar>(
    logits: *const C,
    len: usize,
    allowed: *const bool,
    noise: *const C,
    temperature: C,
    out: *mut C,
    argmax: *mut usize,
) -> gumbel_status {
    call(|b| {
        let temperature = temperature.temperature()?;
        // SAFETY: forwarded preconditions.
        let (logits, allowed, noise, out, argmax) = unsafe {
            (
                b.scalars(logits, len)?,
                b.mask(allowed, len)?,
                b.scalars(noise, len)?,
                b.scalars_mut(out, len)?,
                b.out_optional(argmax)?,
            )
        };
        let index = concrete::from_noise(logits, allowed, noise, temperature, out)?;
        if let Some(argmax) = argmax {
            *argmax = index;
        }
        Ok(())
    })
}

/// The relaxed sample of given Gumbel noise, `softmax((logits + noise) / temperature)`, into
/// `out[0..len]`, and its argmax (the Gumbel-max sample of the same noise) into `*argmax`
/// (`argmax` may be NULL). With the noise of `gumbel_categorical_sample_with_noise_f32` it is
/// the soft sample of a straight-through pair.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_concrete_from_noise_f32(
    logits: *const f32,
    len: usize,
    allowed: *const bool,
    noise: *const f32,
    temperature: f32,
    out: *mut f32,
    argmax: *mut usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { concrete_from_noise(logits, len, allowed, noise, temperature, out, argmax) }
}

/// `gumbel_concrete_from_noise_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_concrete_from_noise_fixed(
    logits: *const i32,
    len: usize,
    allowed: *const bool,
    noise: *const i32,
    temperature: i32,
    out: *mut i32,
    argmax: *mut usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { concrete_from_noise(logits, len, allowed, noise, temperature, out, argmax) }
}

/// # Safety
/// The pointer rules at the top of `include/gumbel.h`.
unsafe fn concrete_density<C: CScalar>(
    logits: *const C,
    len: usize,
    allowed: *const bool,
    temperature: C,
    point: *const C,
    log_density: *mut C,
    log_space: bool,
) -> gumbel_status {
    call(|b| {
        let temperature = temperature.temperature()?;
        // SAFETY: forwarded preconditions.
        let (logits, allowed, point, log_density) = unsafe {
            (
                b.scalars(logits, len)?,
                b.mask(allowed, len)?,
                b.scalars(point, len)?,
                b.out(log_density)?,
            )
        };
        let value = if log_space {
            concrete::exp_log_density(logits, allowed, temperature, point)?
        } else {
            concrete::log_density(logits, allowed, temperature, point)?
        };
        *log_density = C::of(value);
        Ok(())
    })
}

/// The log-density of the Concrete distribution at `x[0..len]` (a point of the open simplex:
/// positive where available, exactly 0 where masked, summing to 1) into `*log_density`.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_concrete_log_density_f32(
    logits: *const f32,
    len: usize,
    allowed: *const bool,
    temperature: f32,
    x: *const f32,
    log_density: *mut f32,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { concrete_density(logits, len, allowed, temperature, x, log_density, false) }
}

/// `gumbel_concrete_log_density_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_concrete_log_density_fixed(
    logits: *const i32,
    len: usize,
    allowed: *const bool,
    temperature: i32,
    x: *const i32,
    log_density: *mut i32,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { concrete_density(logits, len, allowed, temperature, x, log_density, false) }
}

/// The log-density of the ExpConcrete distribution at `y[0..len]` (the log of a Concrete point,
/// as `gumbel_concrete_sample_log_f32` draws it) into `*log_density`; finite at any temperature.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_concrete_exp_log_density_f32(
    logits: *const f32,
    len: usize,
    allowed: *const bool,
    temperature: f32,
    y: *const f32,
    log_density: *mut f32,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { concrete_density(logits, len, allowed, temperature, y, log_density, true) }
}

/// `gumbel_concrete_exp_log_density_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_concrete_exp_log_density_fixed(
    logits: *const i32,
    len: usize,
    allowed: *const bool,
    temperature: i32,
    y: *const i32,
    log_density: *mut i32,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { concrete_density(logits, len, allowed, temperature, y, log_density, true) }
}

/// # Safety
/// The pointer rules at the top of `include/gumbel.h`.
unsafe fn binary_sample<C: CScalar>(
    rng: *mut gumbel_rng,
    logit: C,
    temperature: C,
    out: *mut C,
    logit_space: bool,
) -> gumbel_status {
    call(|b| {
        let temperature = temperature.temperature()?;
        // SAFETY: forwarded preconditions.
        let (rng, out) = unsafe { (b.rng(rng)?, b.out(out)?) };
        let value = if logit_space {
            binary::sample_logit(rng, logit.get(), temperature)?
        } else {
            binary::sample(rng, logit.get(), temperature)?
        };
        *out = C::of(value);
        Ok(())
    })
}

/// Binary Concrete: a relaxed Bernoulli sample `x = sigmoid((logit + L) / temperature)` in
/// [0, 1] into `*x` (`L` logistic, one random word). At small temperatures `x` rounds to 0 or
/// 1: use `gumbel_binary_sample_logit_f32` there.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_binary_sample_f32(
    rng: *mut gumbel_rng,
    logit: f32,
    temperature: f32,
    x: *mut f32,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { binary_sample(rng, logit, temperature, x, false) }
}

/// `gumbel_binary_sample_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_binary_sample_fixed(
    rng: *mut gumbel_rng,
    logit: i32,
    temperature: i32,
    x: *mut i32,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { binary_sample(rng, logit, temperature, x, false) }
}

/// The logit-space binary Concrete sample `y = (logit + L) / temperature` into `*y` (finite at
/// any temperature; the hard sample is `y > 0`).
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_binary_sample_logit_f32(
    rng: *mut gumbel_rng,
    logit: f32,
    temperature: f32,
    y: *mut f32,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { binary_sample(rng, logit, temperature, y, true) }
}

/// `gumbel_binary_sample_logit_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_binary_sample_logit_fixed(
    rng: *mut gumbel_rng,
    logit: i32,
    temperature: i32,
    y: *mut i32,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { binary_sample(rng, logit, temperature, y, true) }
}

/// # Safety
/// The pointer rules at the top of `include/gumbel.h`.
unsafe fn binary_density<C: CScalar>(
    logit: C,
    temperature: C,
    point: C,
    log_density: *mut C,
    logit_space: bool,
) -> gumbel_status {
    call(|b| {
        let temperature = temperature.temperature()?;
        // SAFETY: forwarded precondition.
        let log_density = unsafe { b.out(log_density) }?;
        let (logit, point) = (logit.get(), point.get());
        *log_density = C::of(if logit_space {
            binary::log_density_logit(logit, temperature, point)?
        } else {
            binary::log_density(logit, temperature, point)?
        });
        Ok(())
    })
}

/// The log-density of the binary Concrete at `x` in the open interval (0, 1) into
/// `*log_density`.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_binary_log_density_f32(
    logit: f32,
    temperature: f32,
    x: f32,
    log_density: *mut f32,
) -> gumbel_status {
    // SAFETY: forwarded precondition.
    unsafe { binary_density(logit, temperature, x, log_density, false) }
}

/// `gumbel_binary_log_density_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_binary_log_density_fixed(
    logit: i32,
    temperature: i32,
    x: i32,
    log_density: *mut i32,
) -> gumbel_status {
    // SAFETY: forwarded precondition.
    unsafe { binary_density(logit, temperature, x, log_density, false) }
}

/// The log-density of the logit-space sample `y` (any finite value) into `*log_density`.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_binary_log_density_logit_f32(
    logit: f32,
    temperature: f32,
    y: f32,
    log_density: *mut f32,
) -> gumbel_status {
    // SAFETY: forwarded precondition.
    unsafe { binary_density(logit, temperature, y, log_density, true) }
}

/// `gumbel_binary_log_density_logit_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_binary_log_density_logit_fixed(
    logit: i32,
    temperature: i32,
    y: i32,
    log_density: *mut i32,
) -> gumbel_status {
    // SAFETY: forwarded precondition.
    unsafe { binary_density(logit, temperature, y, log_density, true) }
}

/// Straight-through forward pass: the soft sample `softmax((logits + G) / temperature)` into
/// `soft[0..len]` and the hard sample, its argmax (an exact categorical draw), into `*hard`,
/// from the same noise. For the backward pass keep the noise instead: draw with
/// `gumbel_categorical_sample_with_noise_f32` and relax with `gumbel_concrete_from_noise_f32`.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_straight_through_sample_f32(
    rng: *mut gumbel_rng,
    logits: *const f32,
    len: usize,
    allowed: *const bool,
    temperature: f32,
    soft: *mut f32,
    hard: *mut usize,
) -> gumbel_status {
    let which = Relaxed::StraightThrough(hard);
    // SAFETY: forwarded preconditions.
    unsafe { concrete_sample(rng, logits, len, allowed, temperature, soft, which) }
}

/// `gumbel_straight_through_sample_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_straight_through_sample_fixed(
    rng: *mut gumbel_rng,
    logits: *const i32,
    len: usize,
    allowed: *const bool,
    temperature: i32,
    soft: *mut i32,
    hard: *mut usize,
) -> gumbel_status {
    let which = Relaxed::StraightThrough(hard);
    // SAFETY: forwarded preconditions.
    unsafe { concrete_sample(rng, logits, len, allowed, temperature, soft, which) }
}

/// Which backward pass a Concrete VJP body computes.
#[derive(Clone, Copy)]
enum Backward<C> {
    /// Straight-through: the gradient for the logits only.
    StraightThrough,
    /// The reparameterisation gradient, and the one for the temperature written here (if not
    /// null).
    Reparam(*mut C),
}

/// # Safety
/// The pointer rules at the top of `include/gumbel.h`.
unsafe fn concrete_vjp<C: CScalar>(
    logits: *const C,
    len: usize,
    allowed: *const bool,
    noise: *const C,
    temperature: C,
    upstream: *mut C,
    which: Backward<C>,
) -> gumbel_status {
    call(|b| {
        let temperature = temperature.temperature()?;
        // SAFETY: forwarded preconditions.
        let (logits, allowed, noise, upstream) = unsafe {
            (
                b.scalars(logits, len)?,
                b.mask(allowed, len)?,
                b.scalars(noise, len)?,
                b.scalars_mut(upstream, len)?,
            )
        };
        match which {
            Backward::StraightThrough => {
                straight_through::backward(logits, allowed, noise, temperature, upstream)?;
            }
            Backward::Reparam(d_temperature) => {
                // SAFETY: forwarded precondition.
                let d_temperature = unsafe { b.out_optional(d_temperature) }?;
                let d = reparam::concrete(logits, allowed, noise, temperature, upstream)?;
                if let Some(out) = d_temperature {
                    *out = C::of(d);
                }
            }
        }
        Ok(())
    })
}

/// Straight-through backward pass for a sample drawn with Gumbel noise `noise[0..len]`: on
/// entry `upstream[0..len]` holds the gradient of the loss at the hard one-hot sample, on exit
/// the straight-through estimate of the gradient with respect to the logits.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_straight_through_backward_f32(
    logits: *const f32,
    len: usize,
    allowed: *const bool,
    noise: *const f32,
    temperature: f32,
    upstream: *mut f32,
) -> gumbel_status {
    let which = Backward::StraightThrough;
    // SAFETY: forwarded preconditions.
    unsafe { concrete_vjp(logits, len, allowed, noise, temperature, upstream, which) }
}

/// `gumbel_straight_through_backward_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_straight_through_backward_fixed(
    logits: *const i32,
    len: usize,
    allowed: *const bool,
    noise: *const i32,
    temperature: i32,
    upstream: *mut i32,
) -> gumbel_status {
    let which = Backward::StraightThrough;
    // SAFETY: forwarded preconditions.
    unsafe { concrete_vjp(logits, len, allowed, noise, temperature, upstream, which) }
}

/// The reparameterisation gradient (vector-Jacobian product) of the Concrete sample
/// `y = softmax((logits + noise) / temperature)`: on entry `upstream[0..len]` holds `df/dy`, on
/// exit `df/dlogits`; `df/dtemperature` goes to `*d_temperature` (which may be NULL). O(len)
/// time, no Jacobian.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_reparam_concrete_f32(
    logits: *const f32,
    len: usize,
    allowed: *const bool,
    noise: *const f32,
    temperature: f32,
    upstream: *mut f32,
    d_temperature: *mut f32,
) -> gumbel_status {
    let which = Backward::Reparam(d_temperature);
    // SAFETY: forwarded preconditions.
    unsafe { concrete_vjp(logits, len, allowed, noise, temperature, upstream, which) }
}

/// `gumbel_reparam_concrete_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_reparam_concrete_fixed(
    logits: *const i32,
    len: usize,
    allowed: *const bool,
    noise: *const i32,
    temperature: i32,
    upstream: *mut i32,
    d_temperature: *mut i32,
) -> gumbel_status {
    let which = Backward::Reparam(d_temperature);
    // SAFETY: forwarded preconditions.
    unsafe { concrete_vjp(logits, len, allowed, noise, temperature, upstream, which) }
}

/// # Safety
/// The pointer rules at the top of `include/gumbel.h`.
unsafe fn binary_vjp<C: CScalar>(
    logit: C,
    noise: C,
    temperature: C,
    upstream: C,
    d_logit: *mut C,
    d_temperature: *mut C,
) -> gumbel_status {
    call(|b| {
        let temperature = temperature.temperature()?;
        // SAFETY: forwarded preconditions.
        let (d_logit, d_temperature) = unsafe { (b.out(d_logit)?, b.out_optional(d_temperature)?) };
        let (dl, dt) = reparam::binary(logit.get(), noise.get(), temperature, upstream.get())?;
        *d_logit = C::of(dl);
        if let Some(out) = d_temperature {
            *out = C::of(dt);
        }
        Ok(())
    })
}

/// The reparameterisation gradient of the binary Concrete sample
/// `x = sigmoid((logit + noise) / temperature)` (logistic `noise`) for an upstream `df/dx`:
/// `df/dlogit` into `*d_logit`, `df/dtemperature` into `*d_temperature` (which may be NULL).
/// `*d_logit` is also the binary straight-through estimate for the hard sample
/// `logit + noise > 0`.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_reparam_binary_f32(
    logit: f32,
    noise: f32,
    temperature: f32,
    upstream: f32,
    d_logit: *mut f32,
    d_temperature: *mut f32,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { binary_vjp(logit, noise, temperature, upstream, d_logit, d_temperature) }
}

/// `gumbel_reparam_binary_f32` in Q16.16.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_reparam_binary_fixed(
    logit: i32,
    noise: i32,
    temperature: i32,
    upstream: i32,
    d_logit: *mut i32,
    d_temperature: *mut i32,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { binary_vjp(logit, noise, temperature, upstream, d_logit, d_temperature) }
}
