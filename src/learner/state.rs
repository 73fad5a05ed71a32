//! What an agent has learned, apart from how it learns: the networks, their optimisers'
//! memories, the reward baseline and the update count. [`Agent`](super::Agent) keeps one and
//! [`persistence`](super::persistence) writes and reads it; both import it from here.

use super::network::Network;
use super::{Critic, OptimiserState, Policy};
use crate::Scalar;
use crate::estimators::score::Baseline;

/// Everything an agent has learned: what [`Agent::save`](super::Agent::save) writes and
/// [`Agent::load`](super::Agent::load) reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct State<S, const D: usize, const K: usize, P, C> {
    pub(crate) policy: Policy<S, D, K, P>,
    pub(crate) critic: Critic<S, D, K, C>,
    pub(crate) policy_optimiser: OptimiserState<S, D, K, P>,
    pub(crate) critic_optimiser: OptimiserState<S, D, K, C>,
    pub(crate) baseline: Baseline<S>,
    pub(crate) updates: u32,
}

impl<S: Scalar, const D: usize, const K: usize, P: Network<S, D, K>, C: Network<S, D, K>>
    State<S, D, K, P, C>
{
    /// A fresh state: both networks at their [`initial`](Network::initial) values, fresh
    /// optimisers, the given baseline, no update.
    pub(crate) fn new(baseline: Baseline<S>) -> Self {
        Self {
            policy: Policy::new(P::initial()),
            critic: Critic::new(C::initial()),
            policy_optimiser: OptimiserState::NEW,
            critic_optimiser: OptimiserState::NEW,
            baseline,
            updates: 0,
        }
    }
}
