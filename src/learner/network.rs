//! What a policy or a critic is made of: a [`Network`] from `D` features to `K` outputs, either
//! the affine map [`Linear`](super::Linear) or one hidden layer, [`Hidden`](super::Hidden).

use core::fmt::Debug;

use crate::validate::{finite, finite_array};
use crate::{Error, Scalar};

pub(crate) mod sealed {
    /// Keeps [`Network`](super::Network) closed: the agent's guarantees (no panic, the bounds
    /// that let it refuse an update before drawing a random word, the saved format) rest on
    /// the exact behaviour of each network.
    pub trait Sealed {}
}

/// A trainable map from `D` features to `K` outputs, with hand-written forward and backward
/// passes over [`Scalar`] (so the same code trains in `f32` and in fixed point).
///
/// Implemented by [`Linear`](super::Linear) (`W s + b`, the smallest) and
/// [`Hidden`](super::Hidden) (one hidden layer of leaky ReLU units). The same type also holds
/// everything shaped like the parameters: a gradient, a momentum, Adam's moments.
///
/// Sealed: the learner's bound on a gradient ([`gain`](Self::gain)) and the saved format
/// ([`HIDDEN`](Self::HIDDEN)) must be right for every implementation.
pub trait Network<S: Scalar, const D: usize, const K: usize>:
    Copy + Debug + PartialEq + sealed::Sealed
{
    /// The number of parameters.
    const PARAMETERS: usize;
    /// The width of the hidden layer, 0 for a linear network; the saved format records it, so
    /// that a blob of one shape is refused by an agent of another.
    const HIDDEN: usize;
    /// Every parameter zero: an empty gradient, a fresh optimiser moment.
    const ZERO: Self;
    /// What the forward pass keeps for the backward pass: the hidden layer's outputs (nothing
    /// for a linear network).
    type Activations: Copy;

    /// The network a fresh agent starts from: every output zero for every input (a uniform
    /// policy, a zero critic), with a fixed, documented starting point for any hidden layer.
    fn initial() -> Self;

    /// The outputs for `features`, and the activations [`backward`](Self::backward) needs.
    fn forward(&self, features: &[S; D]) -> ([S; K], Self::Activations);

    /// The activations alone (what [`forward`](Self::forward) keeps), without the outputs.
    fn activations(&self, features: &[S; D]) -> Self::Activations;

    /// Adds to `gradient` the gradient of `⟨upstream, f(features)⟩` with respect to every
    /// parameter (backpropagation), with `activations` from [`forward`](Self::forward) at the
    /// same features and parameters.
    fn backward(
        &self,
        features: &[S; D],
        activations: &Self::Activations,
        upstream: &[S; K],
        gradient: &mut Self,
    );

    /// A bound `G ≥ 1`: every component that [`backward`](Self::backward) adds is at most
    /// `G · max_k |upstream_k|` in magnitude (before rounding). The agent checks a gradient
    /// against it before drawing any random word, so that a refused call draws none.
    fn gain(&self, features: &[S; D], activations: &Self::Activations) -> S;

    /// The parameters as at most four contiguous runs, in the order they are saved (a linear
    /// network uses the first two: weights row-major, then biases; a hidden one all four:
    /// hidden weights, hidden biases, output weights, output biases).
    fn slices(&self) -> [&[S]; 4];

    /// The same runs, mutable.
    fn slices_mut(&mut self) -> [&mut [S]; 4];
}

/// Every parameter of `network`, in saved order.
pub(crate) fn values<'a, S, const D: usize, const K: usize, N>(
    network: &'a N,
) -> impl Iterator<Item = &'a S>
where
    S: Scalar + 'a,
    N: Network<S, D, K>,
{
    network.slices().into_iter().flatten()
}

/// Every parameter of `network`, mutable, in saved order.
pub(crate) fn values_mut<'a, S, const D: usize, const K: usize, N>(
    network: &'a mut N,
) -> impl Iterator<Item = &'a mut S>
where
    S: Scalar + 'a,
    N: Network<S, D, K>,
{
    network.slices_mut().into_iter().flatten()
}

/// The outputs of `network` for `features` (`D` long, finite), refused rather than returned
/// when they overflow: [`Error::Nan`] / [`Error::NotFinite`] with the index of the first bad
/// input, else of the first bad output. What [`Policy::logits`](super::Policy::logits) and
/// [`Critic::action_values`](super::Critic::action_values) return.
pub(crate) fn checked_outputs<S, const D: usize, const K: usize, N>(
    network: &N,
    features: &[S],
) -> Result<[S; K], Error>
where
    S: Scalar,
    N: Network<S, D, K>,
{
    let (outputs, _) = network.forward(&finite_array(features)?);
    finite(&outputs)?;
    Ok(outputs)
}

/// `max(1, max_i |x_i|)`.
pub(crate) fn max_abs_or_one<S: Scalar>(x: &[S]) -> S {
    x.iter().fold(S::ONE, |m, v| m.max(v.abs()))
}

/// `x − x`: 0 for a finite `x`, NaN for an infinite or NaN one (always 0 in fixed point, which
/// has neither). Summed over values, a branch-free finiteness test: one subtraction and one
/// addition per value, and the sum is 0 exactly when every value is finite.
#[inline(always)]
#[allow(clippy::eq_op)] // x − x is the point: it is not 0 for ±inf and NaN
pub(crate) fn zero_if_finite<S: Scalar>(x: S) -> S {
    x - x
}

/// `0` if every value is finite, NaN otherwise ([`zero_if_finite`] summed).
pub(crate) fn non_finite_sentinel<S: Scalar>(x: &[S]) -> S {
    x.iter().fold(S::ZERO, |acc, &v| acc + zero_if_finite(v))
}
