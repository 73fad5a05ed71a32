//! Saving an agent's learned state into a caller's byte buffer and loading it back, so a learned
//! policy survives a reset (write the blob to a flash page, read it at boot).
//!
//! # Format (version 1, all integers little-endian)
//! | bytes | content |
//! |---|---|
//! | 4 | magic `GMBL` |
//! | 2 | format version, 1 |
//! | 4 | `D` (features) |
//! | 4 | `K` (actions) |
//! | 4 | fingerprint of the scalar type: the bits of `1` (`0x3F80_0000` for `f32`) |
//! | 4 · (6·(D·K + K) + 5) | policy, critic, the two optimisers' first and second moments (each weights row-major, then biases), the optimisers' `β₁ᵗ, β₂ᵗ`, the reward baseline's mean; one word each ([`Scalar::to_bits`]) |
//! | 4 | the number of rewards the baseline has seen |
//! | 4 | the number of updates applied |
//! | 4 | CRC-32 (ISO-HDLC, the zlib/PNG one) of everything before it |
//!
//! CRC-32 detects every error burst of up to 32 bits, so every single-bit flip and every
//! truncation (which removes or moves the checksum) is caught; the tests check both
//! exhaustively. A blob that fails any check is [`Error::CorruptedState`] and nothing is loaded.
//! Gradients observed but not yet applied by [`Agent::update`](super::Agent::update) are not
//! saved.

use crc::{CRC_32_ISO_HDLC, Crc, NoTable};

use super::{Linear, OptimiserState, agent::State};
use crate::estimators::score::Baseline;
use crate::{Error, Scalar};

const MAGIC: [u8; 4] = *b"GMBL";
const VERSION: u16 = 1;
const HEADER_LEN: usize = 4 + 2 + 4 + 4 + 4;
/// The bitwise (table-free) CRC: saving is rare, and this keeps 1 KiB of table out of flash.
const CRC: Crc<u32, NoTable> = Crc::<u32, NoTable>::new(&CRC_32_ISO_HDLC);

/// The size in bytes of a saved agent with `D` features and `K` actions.
pub const fn blob_len(d: usize, k: usize) -> usize {
    HEADER_LEN + 4 * (6 * (d * k + k) + 5) + 4 + 4 + 4
}

/// Writes bytes in order into a buffer known to be large enough.
struct Writer<'a> {
    out: &'a mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn bytes(&mut self, bytes: &[u8]) {
        if let Some(slot) = self.out.get_mut(self.at..self.at + bytes.len()) {
            slot.copy_from_slice(bytes);
        }
        self.at += bytes.len();
    }
    fn word(&mut self, word: u32) {
        self.bytes(&word.to_le_bytes());
    }
    fn linear<S: Scalar, const D: usize, const K: usize>(&mut self, linear: &Linear<S, D, K>) {
        for v in linear.values() {
            self.word(v.to_bits());
        }
    }
}

/// Reads bytes in order from a blob whose length has been checked.
struct Reader<'a> {
    blob: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let slice = self
            .blob
            .get(self.at..self.at + N)
            .ok_or(Error::CorruptedState)?;
        self.at += N;
        slice.try_into().map_err(|_| Error::CorruptedState)
    }
    fn word(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.bytes()?))
    }
    fn scalar<S: Scalar>(&mut self) -> Result<S, Error> {
        let value = S::from_bits(self.word()?);
        if value.is_finite() {
            Ok(value)
        } else {
            Err(Error::CorruptedState)
        }
    }
    fn linear<S: Scalar, const D: usize, const K: usize>(
        &mut self,
    ) -> Result<Linear<S, D, K>, Error> {
        let mut linear = Linear::ZERO;
        for v in linear.values_mut() {
            *v = self.scalar()?;
        }
        Ok(linear)
    }
}

fn dimension(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Writes `state` into `out[..blob_len(D, K)]`; returns the number of bytes written.
pub(crate) fn save<S: Scalar, const D: usize, const K: usize>(
    state: &State<S, D, K>,
    out: &mut [u8],
) -> Result<usize, Error> {
    let len = blob_len(D, K);
    if out.len() < len {
        return Err(Error::BufferTooSmall {
            needed: len,
            found: out.len(),
        });
    }
    let mut w = Writer { out, at: 0 };
    w.bytes(&MAGIC);
    w.bytes(&VERSION.to_le_bytes());
    w.word(dimension(D));
    w.word(dimension(K));
    w.word(S::ONE.to_bits());
    w.linear(&state.policy.linear);
    w.linear(&state.critic.linear);
    for opt in [&state.policy_optimiser, &state.critic_optimiser] {
        w.linear(&opt.first);
        w.linear(&opt.second);
    }
    for opt in [&state.policy_optimiser, &state.critic_optimiser] {
        w.word(opt.beta1_power.to_bits());
        w.word(opt.beta2_power.to_bits());
    }
    w.word(state.baseline.value().to_bits());
    w.word(state.baseline.count());
    w.word(state.updates);
    let crc = CRC.checksum(w.out.get(..w.at).unwrap_or(&[]));
    w.word(crc);
    Ok(w.at)
}

/// Reads a blob written by [`save`] for the same `S`, `D` and `K`. Checks the length, magic,
/// version, dimensions, scalar type and CRC, and that every value is finite. The baseline's
/// decay is configuration, not state: it comes from the caller.
pub(crate) fn load<S: Scalar, const D: usize, const K: usize>(
    blob: &[u8],
    baseline_decay: S,
) -> Result<State<S, D, K>, Error> {
    let len = blob_len(D, K);
    let blob = blob.get(..len).ok_or(Error::CorruptedState)?;
    let (body, stored_crc) = blob.split_at(len - 4);
    if u32::from_le_bytes(stored_crc.try_into().map_err(|_| Error::CorruptedState)?)
        != CRC.checksum(body)
    {
        return Err(Error::CorruptedState);
    }
    let mut r = Reader { blob: body, at: 0 };
    if r.bytes::<4>()? != MAGIC
        || u16::from_le_bytes(r.bytes()?) != VERSION
        || r.word()? != dimension(D)
        || r.word()? != dimension(K)
        || r.word()? != S::ONE.to_bits()
    {
        return Err(Error::CorruptedState);
    }
    let policy = r.linear()?;
    let critic = r.linear()?;
    let mut optimisers = [OptimiserState::NEW; 2];
    for opt in &mut optimisers {
        opt.first = r.linear()?;
        opt.second = r.linear()?;
    }
    for opt in &mut optimisers {
        opt.beta1_power = r.scalar()?;
        opt.beta2_power = r.scalar()?;
    }
    let baseline_mean = r.scalar()?;
    let baseline_count = r.word()?;
    let baseline = Baseline::resume(baseline_decay, baseline_mean, baseline_count)
        .map_err(|_| Error::CorruptedState)?;
    let updates = r.word()?;
    let [policy_optimiser, critic_optimiser] = optimisers;
    Ok(State {
        policy: super::Policy { linear: policy },
        critic: super::Critic { linear: critic },
        policy_optimiser,
        critic_optimiser,
        baseline,
        updates,
    })
}
