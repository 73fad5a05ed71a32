//! The random number generator the caller owns: the four 32-bit words of a xoshiro128++ state
//! (Blackman and Vigna), the generator the Rust examples and the pinned vectors use. Every
//! sampling function takes a pointer to one and advances it by one word per logit (per value,
//! for the noise functions); a call that fails advances nothing.

use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

use crate::memory::call;
use crate::status::gumbel_status;

/// A xoshiro128++ state: `s[0..4]` are the generator's words in its reference order. Seed it
/// with `gumbel_rng_seed`; set by hand, it must not be all zero (an all-zero state is replaced
/// by the state of seed 0). Copying the struct copies the stream.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct gumbel_rng {
    /// The state words.
    pub s: [u32; 4],
}

impl gumbel_rng {
    /// The generator this state describes.
    pub(crate) fn load(&self) -> Xoshiro128PlusPlus {
        let mut seed = [0u8; 16];
        for (bytes, word) in seed.chunks_exact_mut(4).zip(self.s) {
            bytes.copy_from_slice(&word.to_le_bytes());
        }
        Xoshiro128PlusPlus::from_seed(seed)
    }

    /// Stores the state of `rng`.
    pub(crate) fn store(&mut self, rng: &Xoshiro128PlusPlus) {
        let state = rng.state();
        for (word, bytes) in self.s.iter_mut().zip(state.chunks_exact(4)) {
            let mut le = [0u8; 4];
            le.copy_from_slice(bytes);
            *word = u32::from_le_bytes(le);
        }
    }

    /// Runs `f` with the generator and stores its state afterwards.
    pub(crate) fn with<T>(&mut self, f: impl FnOnce(&mut Xoshiro128PlusPlus) -> T) -> T {
        let mut rng = self.load();
        let result = f(&mut rng);
        self.store(&rng);
        result
    }
}

/// Seeds `rng` exactly as Rust's `Xoshiro128PlusPlus::seed_from_u64(seed)` (SplitMix64), so a
/// C program and a Rust program with the same seed draw the same numbers.
///
/// # Safety
/// `rng` must be NULL (`GUMBEL_ERR_NULL_POINTER`) or point to a writable `gumbel_rng`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_rng_seed(rng: *mut gumbel_rng, seed: u64) -> gumbel_status {
    call(|b| {
        // SAFETY: forwarded precondition.
        let rng = unsafe { b.out(rng) }?;
        rng.store(&Xoshiro128PlusPlus::seed_from_u64(seed));
        Ok(())
    })
}

/// Draws one uniformly distributed 32-bit word into `*out`.
///
/// # Safety
/// `rng` must point to a `gumbel_rng` and `out` to a writable `uint32_t` (either NULL:
/// `GUMBEL_ERR_NULL_POINTER`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_rng_next_u32(rng: *mut gumbel_rng, out: *mut u32) -> gumbel_status {
    call(|b| {
        // SAFETY: forwarded preconditions.
        let (rng, out) = unsafe { (b.out(rng)?, b.out(out)?) };
        *out = rng.with(rand_core::Rng::next_u32);
        Ok(())
    })
}
