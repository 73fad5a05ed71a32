//! The random number generator the caller owns: the four 32-bit words of a xoshiro128++ state
//! (Blackman and Vigna), the generator the Rust examples and the pinned vectors use. Every
//! sampling function takes a pointer to one and advances it by one word per logit (per value,
//! for the noise functions); a call that fails advances nothing.
//!
//! The library steps the caller's words in place: the step below is the reference algorithm,
//! word for word `rand_xoshiro::Xoshiro128PlusPlus` (which seeds it, and which the host tests
//! and the pinned vectors compare it with), without a copy in and out of that type per call.

use core::convert::Infallible;

use rand_core::{SeedableRng, TryRng, utils};
use rand_xoshiro::Xoshiro128PlusPlus;

use crate::memory::{Borrows, call};
use crate::status::gumbel_status;

/// A xoshiro128++ state: `s[0..4]` are the generator's words in its reference order. Seed it
/// with `gumbel_rng_seed`; set by hand, it must not be all zero (an all-zero state is replaced
/// by the state of seed 0 when a function takes it). Copying the struct copies the stream.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct gumbel_rng {
    /// The state words.
    pub s: [u32; 4],
}

impl gumbel_rng {
    /// The state of seed 0, for an all-zero state (rare: kept out of line).
    #[cold]
    fn seed_zero() -> Self {
        Self::of(&Xoshiro128PlusPlus::seed_from_u64(0))
    }

    /// The state of a seeded `rand_xoshiro` generator.
    fn of(rng: &Xoshiro128PlusPlus) -> Self {
        let bytes = rng.state();
        let mut s = [0u32; 4];
        for (word, chunk) in s.iter_mut().zip(bytes.chunks_exact(4)) {
            let mut le = [0u8; 4];
            le.copy_from_slice(chunk);
            *word = u32::from_le_bytes(le);
        }
        Self { s }
    }
}

impl TryRng for gumbel_rng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let [s0, s1, s2, s3] = self.s;
        let result = s0.wrapping_add(s3).rotate_left(7).wrapping_add(s0);
        let t = s1 << 9;
        let s2 = s2 ^ s0;
        let s3 = s3 ^ s1;
        let s1 = s1 ^ s2;
        let s0 = s0 ^ s3;
        self.s = [s0, s1, s2 ^ t, s3.rotate_left(11)];
        Ok(result)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        utils::next_u64_via_u32(self)
    }

    #[inline]
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        utils::fill_bytes_via_next_word(dest, || self.try_next_u32())
    }
}

impl Borrows {
    /// The caller's generator, ready to draw from: an all-zero state (which xoshiro would never
    /// leave) is replaced by the state of seed 0, as `rand_xoshiro` does.
    ///
    /// # Safety
    /// As [`out`](Self::out).
    #[inline]
    pub(crate) unsafe fn rng<'a>(
        &mut self,
        rng: *mut gumbel_rng,
    ) -> Result<&'a mut gumbel_rng, gumbel_status> {
        // SAFETY: forwarded precondition.
        let rng = unsafe { self.out(rng) }?;
        // OR-ed rather than compared as an array, which would become a call to memcmp.
        if rng.s.iter().fold(0, |any, &word| any | word) == 0 {
            *rng = gumbel_rng::seed_zero();
        }
        Ok(rng)
    }
}

/// Seeds `rng` exactly as Rust's `Xoshiro128PlusPlus::seed_from_u64(seed)` (SplitMix64), so a
/// C program and a Rust program with the same seed draw the same numbers.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_rng_seed(rng: *mut gumbel_rng, seed: u64) -> gumbel_status {
    call(|b| {
        // SAFETY: forwarded precondition.
        let rng = unsafe { b.out(rng) }?;
        *rng = gumbel_rng::of(&Xoshiro128PlusPlus::seed_from_u64(seed));
        Ok(())
    })
}

/// Draws one uniformly distributed 32-bit word into `*out`.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_rng_next_u32(rng: *mut gumbel_rng, out: *mut u32) -> gumbel_status {
    call(|b| {
        // SAFETY: forwarded preconditions.
        let (rng, out) = unsafe { (b.rng(rng)?, b.out(out)?) };
        *out = rand_core::Rng::next_u32(rng);
        Ok(())
    })
}
