//! The affine map `W s + b` from `D` features to `K` outputs that both the policy (logits) and
//! the critic (per-action values) are made of, with the few vector operations the optimisers,
//! the clipping and the persistence need.

use crate::Scalar;

/// `K` outputs, each an affine function of `D` features: `out_k = Σ_d W[k][d] s_d + b_k`.
///
/// Also the shape of everything that goes with the parameters: gradients, momentum, Adam's
/// moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Linear<S, const D: usize, const K: usize> {
    pub(crate) weights: [[S; D]; K],
    pub(crate) bias: [S; K],
}

impl<S: Scalar, const D: usize, const K: usize> Default for Linear<S, D, K> {
    fn default() -> Self {
        Self::ZERO
    }
}

impl<S: Scalar, const D: usize, const K: usize> Linear<S, D, K> {
    /// The number of parameters, `D·K + K`.
    pub const PARAMETERS: usize = D * K + K;

    /// All weights and biases zero.
    pub const ZERO: Self = Self {
        weights: [[S::ZERO; D]; K],
        bias: [S::ZERO; K],
    };

    /// The map with the given weights (one row of `D` per output) and biases.
    pub const fn new(weights: [[S; D]; K], bias: [S; K]) -> Self {
        Self { weights, bias }
    }

    /// The weights, one row of `D` per output.
    pub fn weights(&self) -> &[[S; D]; K] {
        &self.weights
    }

    /// The biases, one per output.
    pub fn bias(&self) -> &[S; K] {
        &self.bias
    }

    /// `W s + b`.
    pub fn apply(&self, features: &[S; D]) -> [S; K] {
        let mut out = self.bias;
        for (o, row) in out.iter_mut().zip(&self.weights) {
            for (w, s) in row.iter().zip(features) {
                *o += *w * *s;
            }
        }
        out
    }

    /// Adds `scale · r sᵀ` to `W` and `scale · r` to `b`: the gradient of `rᵀ(W s + b)` with
    /// respect to the parameters, accumulated.
    pub(crate) fn add_outer(&mut self, rows: &[S; K], features: &[S; D], scale: S) {
        for ((row, b), &r) in self.weights.iter_mut().zip(&mut self.bias).zip(rows) {
            let r = r * scale;
            for (w, s) in row.iter_mut().zip(features) {
                *w += r * *s;
            }
            *b += r;
        }
    }

    /// Every parameter, weights row-major, then biases (the order persistence writes them in).
    pub(crate) fn values(&self) -> impl Iterator<Item = &S> {
        self.weights.as_flattened().iter().chain(&self.bias)
    }

    /// Every parameter, mutable, in the same order.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut S> {
        self.weights
            .as_flattened_mut()
            .iter_mut()
            .chain(&mut self.bias)
    }

    /// `true` if no parameter is NaN or infinite.
    pub fn is_finite(&self) -> bool {
        self.values().all(|v| v.is_finite())
    }

    /// Multiplies every parameter by `factor`.
    pub(crate) fn scale(&mut self, factor: S) {
        for v in self.values_mut() {
            *v *= factor;
        }
    }
}
