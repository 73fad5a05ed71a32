//! Gradient-norm clipping: a gradient longer than a limit is shortened to it, direction kept.

use super::network::{Network, values, values_mut};
use crate::Scalar;

/// The Euclidean norm of all parameters of `g`, computed as `m · sqrt(Σ (g_i/m)²)` with `m` the
/// largest magnitude, so that neither squaring a large value overflows nor squaring a small one
/// underflows (which in fixed point would round every component of a small gradient to zero).
///
/// Error, with `P` parameters ([`Network::PARAMETERS`]): in `f32` the rounding of `P` squares,
/// `P` additions, the square root and the product, at most `(P + 2)·ε` relative. In fixed point
/// (ε = 1 LSB, additions exact) each ratio `g_i/m` is within ε (rounded division), so each
/// square within 3ε and their sum (at least 1) within `3P·ε`; the correctly rounded square root
/// adds ε/2 and halves the rest, and the product with `m` rounds once more: at most
/// `(3P/2 + 1)·ε·m + ε` absolute. `tests/learner.rs` checks both bounds on 10,000 random
/// gradients.
pub fn norm<S: Scalar, const D: usize, const K: usize, N: Network<S, D, K>>(g: &N) -> S {
    let largest = values(g).fold(S::ZERO, |m, v| m.max(v.abs()));
    if largest == S::ZERO {
        return S::ZERO;
    }
    let mut sum = S::ZERO;
    for &v in values(g) {
        let r = v / largest;
        sum += r * r;
    }
    sum.sqrt() * largest
}

/// Scales `g` so its [`norm`] is at most `max_norm` (leaves it alone if it already is, or if
/// `max_norm` is not positive, which disables clipping). Returns the norm before clipping.
pub fn clip<S: Scalar, const D: usize, const K: usize, N: Network<S, D, K>>(
    g: &mut N,
    max_norm: S,
) -> S {
    let before = norm(g);
    if max_norm > S::ZERO && before > max_norm {
        let factor = max_norm / before;
        for v in values_mut(g) {
            *v *= factor;
        }
    }
    before
}

/// The factor that turns the gradient sum `sum` into the clipped mean gradient: `mean` (one over
/// the count), times `max_norm / ‖mean · sum‖` if that norm exceeds `max_norm > 0`. Skips the
/// norm when clipping is off.
///
/// In `f32` a screen spares the exact [`norm`] (two passes, a division per parameter and a
/// square root, which `libm` computes in software on Cortex-M) when the gradient is clearly
/// short: a plain `Σ sum_i²` (one multiply-add per parameter) at most a quarter of
/// `(max_norm / mean)²`, that is a mean gradient at most half as long as the limit, leaves it
/// alone. The quarter covers the screen's rounding (`(P + 1) ε` relative) many times over, and
/// a sum that overflows or underflows only sends the gradient to the exact norm. Fixed point
/// always takes the exact norm: its squares of small components round to zero.
pub(crate) fn scale<S: Scalar, const D: usize, const K: usize, N: Network<S, D, K>>(
    sum: &N,
    mean: S,
    max_norm: S,
) -> S {
    if max_norm > S::ZERO {
        let fine_squares = S::EPSILON * S::EPSILON != S::ZERO;
        if fine_squares {
            let squares = values(sum).fold(S::ZERO, |acc, &v| acc + v * v);
            let limit = max_norm / mean;
            if squares.is_finite() && squares + squares + squares + squares <= limit * limit {
                return mean;
            }
        }
        let length = norm(sum) * mean;
        if length > max_norm {
            return mean * (max_norm / length);
        }
    }
    mean
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learner::Linear;

    #[test]
    fn clipping_scales_long_gradients_to_the_limit_and_keeps_short_ones() {
        let mut g = Linear::<f32, 2, 2>::new([[3.0, 0.0], [0.0, 0.0]], [4.0, 0.0]);
        assert_eq!(clip(&mut g, 1.0), 5.0);
        assert_eq!(g.weights()[0][0], 0.6);
        assert_eq!(g.bias()[0], 0.8);
        let mut short = Linear::<f32, 2, 2>::new([[0.3, 0.0], [0.0, 0.0]], [0.4, 0.0]);
        let copy = short;
        clip(&mut short, 1.0);
        assert_eq!(short, copy);
        // No overflow or underflow in the norm.
        let huge = Linear::<f32, 1, 2>::new([[3e30], [4e30]], [0.0; 2]);
        assert!((norm(&huge) / 5e30 - 1.0).abs() < 4.0 * f32::EPSILON);
        let tiny = Linear::<f32, 1, 2>::new([[3e-30], [4e-30]], [0.0; 2]);
        assert!((norm(&tiny) / 5e-30 - 1.0).abs() < 4.0 * f32::EPSILON);
    }
}
