//! A network with one hidden layer of leaky ReLU units: what a policy needs when the best action is
//! not a linear function of the features, and what a critic needs to value a state well.

use rand_core::Rng;

use super::Linear;
use super::network::{Network, max_abs_or_one, sealed};
use crate::Scalar;

/// `f(s) = W₂ relu(W₁ s + b₁) + b₂`: `D` features, `H` hidden units with the leaky rectifier
/// `relu(z) = z` for `z > 0`, `z/64` otherwise, `K` outputs.
///
/// `H (D + 1) + K (H + 1)` parameters, `4·(H (D + 1) + K (H + 1))` bytes in either scalar; for
/// `D = 4, H = 16, K = 2`, 114 parameters. Forward and backward passes cost about
/// `H (D + K)` multiply-adds each.
///
/// A rectifier rather than tanh: it costs a comparison (and a multiplication below zero) in fixed
/// point, no exponential, its derivative is 1 or 1/64, and on CartPole a critic of tanh units
/// learned far worse. Leaky, because units that are flat below zero can die for good: on the XOR
/// bandit every hidden unit of the critic did on some seeds (see [`learner`](super)).
///
/// [`Network::initial`] sets `W₁` Glorot-uniform, each weight in `±√(6 / (D + H))`, from a fixed
/// hash of its index (so every agent starts the same, on every target), and `b₁`, `W₂`, `b₂` to
/// zero: the outputs start at zero for every input (a uniform policy, a zero critic) while the
/// hidden units already differ. [`random`](Self::random) draws `W₁` from a generator instead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hidden<S, const D: usize, const H: usize, const K: usize> {
    pub(crate) hidden: Linear<S, D, H>,
    pub(crate) output: Linear<S, H, K>,
}

impl<S: Scalar, const D: usize, const H: usize, const K: usize> Default for Hidden<S, D, H, K> {
    fn default() -> Self {
        Self::initial()
    }
}

/// The slope of the rectifier below zero.
fn leak<S: Scalar>() -> S {
    S::ONE / S::from_i32(LEAK_DIVISOR)
}

const LEAK_DIVISOR: i32 = 64;

/// A fixed 32-bit mixing function (Wellons' `lowbias32`), for the starting weights.
fn mix(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^ (x >> 16)
}

impl<S: Scalar, const D: usize, const H: usize, const K: usize> Hidden<S, D, H, K> {
    /// The network with the given hidden layer (`W₁`, `b₁`) and output layer (`W₂`, `b₂`).
    pub const fn new(hidden: Linear<S, D, H>, output: Linear<S, H, K>) -> Self {
        Self { hidden, output }
    }

    /// The hidden layer `W₁ s + b₁` (before the rectifier).
    pub fn hidden(&self) -> &Linear<S, D, H> {
        &self.hidden
    }

    /// The output layer `W₂ h + b₂`.
    pub fn output(&self) -> &Linear<S, H, K> {
        &self.output
    }

    /// A starting network like [`Network::initial`]'s, with `W₁` drawn from `rng` (one word
    /// per weight, row by row).
    pub fn random<R: Rng + ?Sized>(rng: &mut R) -> Self {
        Self::glorot(|_| rng.next_u32())
    }

    /// `W₁` Glorot-uniform from one word per weight, the rest zero.
    fn glorot(mut word: impl FnMut(u32) -> u32) -> Self {
        let fan = i32::try_from(D + H).unwrap_or(i32::MAX);
        let limit = (S::from_i32(6) / S::from_i32(fan)).sqrt();
        let mut network = Self {
            hidden: Linear::ZERO,
            output: Linear::ZERO,
        };
        let mut index = 0u32;
        for w in network.hidden.weights.as_flattened_mut() {
            let u = S::uniform_from_word(word(index));
            *w = (u + u - S::ONE) * limit;
            index = index.wrapping_add(1);
        }
        network
    }
}

impl<S, const D: usize, const H: usize, const K: usize> sealed::Sealed for Hidden<S, D, H, K> {}

impl<S: Scalar, const D: usize, const H: usize, const K: usize> Network<S, D, K>
    for Hidden<S, D, H, K>
{
    const PARAMETERS: usize = H * (D + 1) + K * (H + 1);
    const HIDDEN: usize = H;
    const ZERO: Self = Self {
        hidden: Linear::ZERO,
        output: Linear::ZERO,
    };
    type Activations = [S; H];

    fn initial() -> Self {
        /// Seeds the hash of the starting weights (ASCII "gumb").
        const SEED: u32 = 0x6775_6d62;
        Self::glorot(|index| mix(index ^ SEED))
    }

    /// `h = relu(W₁ s + b₁)`.
    fn activations(&self, features: &[S; D]) -> [S; H] {
        let mut h = self.hidden.apply(features);
        let leak = leak::<S>();
        for v in &mut h {
            if *v <= S::ZERO {
                *v *= leak;
            }
        }
        h
    }

    fn forward(&self, features: &[S; D]) -> ([S; K], [S; H]) {
        let h = self.activations(features);
        (self.output.apply(&h), h)
    }

    fn backward(&self, features: &[S; D], h: &[S; H], upstream: &[S; K], gradient: &mut Self) {
        gradient.output.add_outer(upstream, h);
        // δ_j = relu'(z_j) Σ_k W₂[k][j] u_k; relu'(z) = 1 exactly where h = relu(z) > 0.
        let mut delta = [S::ZERO; H];
        for (row, &u) in self.output.weights.iter().zip(upstream) {
            for (d, &w) in delta.iter_mut().zip(row) {
                *d += w * u;
            }
        }
        let leak = leak::<S>();
        for (d, &a) in delta.iter_mut().zip(h) {
            if a <= S::ZERO {
                *d *= leak;
            }
        }
        gradient.hidden.add_outer(&delta, features);
    }

    /// `max(max(1, max_j h_j), max_j Σ_k |W₂[k][j]| · max(1, max_d |s_d|))`: the output
    /// layer's gradients are `u_k h_j` and `u_k`, the hidden layer's `δ_j s_d` and `δ_j` with
    /// `|δ_j| ≤ Σ_k |W₂[k][j]| · max_k |u_k|`.
    fn gain(&self, features: &[S; D], h: &[S; H]) -> S {
        let mut column = [S::ZERO; H];
        for row in &self.output.weights {
            for (c, &w) in column.iter_mut().zip(row) {
                *c += w.abs();
            }
        }
        let widest = column.iter().fold(S::ZERO, |m, &c| m.max(c));
        max_abs_or_one(h).max(widest * max_abs_or_one(features))
    }

    fn slices(&self) -> [&[S]; 4] {
        [
            self.hidden.weights.as_flattened(),
            &self.hidden.bias,
            self.output.weights.as_flattened(),
            &self.output.bias,
        ]
    }

    fn slices_mut(&mut self) -> [&mut [S]; 4] {
        [
            self.hidden.weights.as_flattened_mut(),
            &mut self.hidden.bias,
            self.output.weights.as_flattened_mut(),
            &mut self.output.bias,
        ]
    }
}
