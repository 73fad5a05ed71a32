//! The affine map `W s + b` from `D` features to `K` outputs: the linear [`Network`], and the
//! layer the hidden-layer network is built from.

use super::network::{Network, max_abs_or_one, sealed};
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

    /// Adds `r sᵀ` to `W` and `r` to `b`: the gradient of `rᵀ(W s + b)` with respect to the
    /// parameters, accumulated.
    pub(crate) fn add_outer(&mut self, rows: &[S; K], features: &[S; D]) {
        for ((row, b), &r) in self.weights.iter_mut().zip(&mut self.bias).zip(rows) {
            for (w, s) in row.iter_mut().zip(features) {
                *w += r * *s;
            }
            *b += r;
        }
    }

    /// `true` if no parameter is NaN or infinite.
    pub fn is_finite(&self) -> bool {
        self.weights.as_flattened().iter().all(|v| v.is_finite())
            && self.bias.iter().all(|v| v.is_finite())
    }
}

impl<S, const D: usize, const K: usize> sealed::Sealed for Linear<S, D, K> {}

impl<S: Scalar, const D: usize, const K: usize> Network<S, D, K> for Linear<S, D, K> {
    const PARAMETERS: usize = D * K + K;
    const HIDDEN: usize = 0;
    const ZERO: Self = Self::ZERO;
    type Activations = ();

    /// All zero: the uniform policy, the zero critic.
    fn initial() -> Self {
        Self::ZERO
    }

    fn forward(&self, features: &[S; D]) -> ([S; K], ()) {
        (self.apply(features), ())
    }

    fn activations(&self, _: &[S; D]) {}

    fn backward(&self, features: &[S; D], _: &(), upstream: &[S; K], gradient: &mut Self) {
        gradient.add_outer(upstream, features);
    }

    /// `max(1, max_d |s_d|)`: a weight's gradient is `u_k s_d`, a bias's `u_k`.
    fn gain(&self, features: &[S; D], _: &()) -> S {
        max_abs_or_one(features)
    }

    fn slices(&self) -> [&[S]; 4] {
        [self.weights.as_flattened(), &self.bias, &[], &[]]
    }

    fn slices_mut(&mut self) -> [&mut [S]; 4] {
        [
            self.weights.as_flattened_mut(),
            &mut self.bias,
            &mut [],
            &mut [],
        ]
    }
}
