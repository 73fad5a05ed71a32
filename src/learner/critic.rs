//! The critic `Q(s, y) = ⟨y, q(s)⟩`: a value `q_a(s)` for each action from a [`Network`], read
//! off at a one-hot action or averaged by a relaxed one `y` on the simplex. Linear in `y`, so
//! its gradient with respect to the relaxed action is `q(s)` itself.

use core::marker::PhantomData;

use super::Linear;
use super::network::{Network, checked_outputs};
use crate::validate::{finite, finite_scalar, same_len};
use crate::{Error, Scalar};

/// A critic: per-action values `q(s)` from a [`Network`] `N` (by default [`Linear`]), linear in
/// the (relaxed) action.
///
/// An [`Agent`](super::Agent) fits `q_a(s)` to its target for action `a` *minus the reward
/// baseline* (so an untried action, whose value stays 0, is neither favoured nor shunned); its
/// estimate of the state's value is then the baseline plus `⟨π(s), q(s)⟩`
/// ([`Agent::value`](super::Agent::value)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Critic<S, const D: usize, const K: usize, N = Linear<S, D, K>> {
    pub(crate) network: N,
    scalar: PhantomData<S>,
}

network_wrapper!(
    Critic,
    "critic",
    ZERO,
    "The linear critic with all parameters zero."
);

impl<S: Scalar, const D: usize, const K: usize, N: Network<S, D, K>> Critic<S, D, K, N> {
    /// The value of each action, `q(s)` (also `∂Q/∂y`). Values that overflow are an error
    /// ([`Error::Nan`] / [`Error::NotFinite`] with the index of the first), never a NaN in `Ok`.
    pub fn action_values(&self, features: &[S]) -> Result<[S; K], Error> {
        checked_outputs(&self.network, features)
    }

    /// `Q(s, y) = ⟨y, q(s)⟩` for a relaxed action `y` (`K` long, finite); a result that
    /// overflows is [`Error::NotFinite`].
    pub fn value(&self, features: &[S], y: &[S]) -> Result<S, Error> {
        let q = self.action_values(features)?;
        same_len(K, y.len())?;
        finite(y)?;
        finite_scalar(q.iter().zip(y).fold(S::ZERO, |acc, (&a, &b)| acc + a * b))
    }
}
