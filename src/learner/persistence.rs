//! Saving an agent's learned state into a caller's byte buffer and loading it back, so a learned
//! policy survives a reset. The format is documented on [`Agent::save`](super::Agent::save).

use crc::{CRC_32_ISO_HDLC, Crc, NoTable};

use super::network::{Network, values, values_mut};
use super::state::State;
use super::{Critic, OptimiserState, Policy};
use crate::estimators::score::Baseline;
use crate::{Error, Scalar};

const MAGIC: [u8; 4] = *b"GMBL";
const VERSION: u16 = 2;
const HEADER_LEN: usize = 4 + 2 + 4 * 5;
/// The bitwise (table-free) CRC: saving is rare, and this keeps 1 KiB of table out of flash.
const CRC: Crc<u32, NoTable> = Crc::<u32, NoTable>::new(&CRC_32_ISO_HDLC);

/// The size in bytes of a saved agent whose policy and critic have `policy` and `critic`
/// parameters.
pub(crate) const fn blob_len(policy: usize, critic: usize) -> usize {
    HEADER_LEN + 4 * (3 * (policy + critic) + 5) + 4 + 4 + 4
}

/// Writes bytes in order into a buffer known to be large enough.
struct Writer<'a> {
    out: &'a mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn bytes(&mut self, bytes: &[u8]) {
        if let Some(slot) = self.out.get_mut(self.at..self.at + bytes.len()) {
            for (to, from) in slot.iter_mut().zip(bytes) {
                *to = *from;
            }
        }
        self.at += bytes.len();
    }
    fn word(&mut self, word: u32) {
        self.bytes(&word.to_le_bytes());
    }
    fn network<S: Scalar, const D: usize, const K: usize, N: Network<S, D, K>>(
        &mut self,
        network: &N,
    ) {
        for v in values(network) {
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
    fn network<S: Scalar, const D: usize, const K: usize, N: Network<S, D, K>>(
        &mut self,
    ) -> Result<N, Error> {
        let mut network = N::ZERO;
        for v in values_mut(&mut network) {
            *v = self.scalar()?;
        }
        Ok(network)
    }
}

fn dimension(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Writes `state` into `out[..blob_len(P, C)]`; returns the number of bytes written.
pub(crate) fn save<S, const D: usize, const K: usize, P, C>(
    state: &State<S, D, K, P, C>,
    out: &mut [u8],
) -> Result<usize, Error>
where
    S: Scalar,
    P: Network<S, D, K>,
    C: Network<S, D, K>,
{
    let len = blob_len(P::PARAMETERS, C::PARAMETERS);
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
    w.word(dimension(P::HIDDEN));
    w.word(dimension(C::HIDDEN));
    w.word(S::ONE.to_bits());
    w.network(&state.policy.network);
    w.network(&state.critic.network);
    w.network(&state.policy_optimiser.first);
    w.network(&state.policy_optimiser.second);
    w.network(&state.critic_optimiser.first);
    w.network(&state.critic_optimiser.second);
    for (beta1_power, beta2_power) in [
        (
            state.policy_optimiser.beta1_power,
            state.policy_optimiser.beta2_power,
        ),
        (
            state.critic_optimiser.beta1_power,
            state.critic_optimiser.beta2_power,
        ),
    ] {
        w.word(beta1_power.to_bits());
        w.word(beta2_power.to_bits());
    }
    w.word(state.baseline.value().to_bits());
    w.word(state.baseline.count());
    w.word(state.updates);
    let crc = CRC.checksum(w.out.get(..w.at).unwrap_or(&[]));
    w.word(crc);
    Ok(w.at)
}

/// Reads a blob written by [`save`] for the same `S`, `D`, `K` and networks. Checks the length,
/// magic, version, dimensions, hidden widths, scalar type and CRC, then the decoded state's
/// invariants: every value finite, second moments not negative, `β` powers in `[0, 1]`. The
/// baseline's decay is configuration, not state: it comes from the caller.
pub(crate) fn load<S, const D: usize, const K: usize, P, C>(
    blob: &[u8],
    baseline_decay: S,
) -> Result<State<S, D, K, P, C>, Error>
where
    S: Scalar,
    P: Network<S, D, K>,
    C: Network<S, D, K>,
{
    let len = blob_len(P::PARAMETERS, C::PARAMETERS);
    let blob = blob.get(..len).ok_or(Error::CorruptedState)?;
    let (body, stored_crc) = blob
        .split_at_checked(len - 4)
        .ok_or(Error::CorruptedState)?;
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
        || r.word()? != dimension(P::HIDDEN)
        || r.word()? != dimension(C::HIDDEN)
        || r.word()? != S::ONE.to_bits()
    {
        return Err(Error::CorruptedState);
    }
    let policy = Policy::new(r.network()?);
    let critic = Critic::new(r.network()?);
    let mut policy_optimiser = OptimiserState::<S, D, K, P>::NEW;
    policy_optimiser.first = r.network()?;
    policy_optimiser.second = r.network()?;
    let mut critic_optimiser = OptimiserState::<S, D, K, C>::NEW;
    critic_optimiser.first = r.network()?;
    critic_optimiser.second = r.network()?;
    policy_optimiser.beta1_power = r.scalar()?;
    policy_optimiser.beta2_power = r.scalar()?;
    critic_optimiser.beta1_power = r.scalar()?;
    critic_optimiser.beta2_power = r.scalar()?;
    if !(policy_optimiser.is_valid() && critic_optimiser.is_valid()) {
        return Err(Error::CorruptedState);
    }
    let baseline_mean = r.scalar()?;
    let baseline_count = r.word()?;
    let baseline = Baseline::resume(baseline_decay, baseline_mean, baseline_count)
        .map_err(|_| Error::CorruptedState)?;
    let updates = r.word()?;
    Ok(State {
        policy,
        critic,
        policy_optimiser,
        critic_optimiser,
        baseline,
        updates,
    })
}

#[cfg(test)]
mod tests {
    use crate::learner::{Agent, Hidden, Linear, Network};

    #[test]
    fn blob_len_is_the_documented_size_for_every_shape() {
        // 26 + 4·(3 (P + C) + 5) + 12.
        let len = |p: usize, c: usize| 26 + 4 * (3 * (p + c) + 5) + 12;
        assert_eq!(Agent::<f32, 4, 4>::BLOB_LEN, 538);
        assert_eq!(Agent::<f32, 4, 4>::BLOB_LEN, len(20, 20));
        assert_eq!(Agent::<f32, 4, 2>::BLOB_LEN, 298);
        assert_eq!(
            Agent::<f32, 4, 2, Linear<f32, 4, 2>, Hidden<f32, 4, 16, 2>>::BLOB_LEN,
            1546
        );
        assert_eq!(
            Agent::<f32, 4, 2, Linear<f32, 4, 2>, Hidden<f32, 4, 16, 2>>::BLOB_LEN,
            len(10, 114)
        );
        assert_eq!(
            Agent::<f32, 2, 2, Hidden<f32, 2, 16, 2>, Hidden<f32, 2, 16, 2>>::BLOB_LEN,
            2026
        );
        assert_eq!(
            Agent::<f32, 2, 2, Hidden<f32, 2, 16, 2>, Hidden<f32, 2, 16, 2>>::BLOB_LEN,
            len(82, 82)
        );
        assert_eq!(
            <Hidden<f32, 4, 16, 2> as Network<f32, 4, 2>>::PARAMETERS,
            114
        );
        assert_eq!(<Linear<f32, 4, 4> as Network<f32, 4, 4>>::PARAMETERS, 20);
    }
}
