//! The linear critic `Q(s, y) = Σ_k y_k (W s + b)_k`: a value for each action, read off at a
//! one-hot action or averaged by a relaxed one `y` on the simplex. Linear in `y`, so its
//! gradient with respect to the relaxed action is `W s + b` itself.

use super::Linear;
use crate::validate::{finite, finite_array, same_len};
use crate::{Error, Scalar};

/// A critic linear in the features and in the (relaxed) action.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Critic<S, const D: usize, const K: usize> {
    pub(crate) linear: Linear<S, D, K>,
}

impl<S: Scalar, const D: usize, const K: usize> Default for Critic<S, D, K> {
    fn default() -> Self {
        Self::ZERO
    }
}

impl<S: Scalar, const D: usize, const K: usize> Critic<S, D, K> {
    /// The critic with all parameters zero.
    pub const ZERO: Self = Self {
        linear: Linear::ZERO,
    };

    /// The critic with the given parameters.
    pub fn new(linear: Linear<S, D, K>) -> Self {
        Self { linear }
    }

    /// The parameters.
    pub fn parameters(&self) -> &Linear<S, D, K> {
        &self.linear
    }

    /// The value of each action, `q(s) = W s + b` (also `∂Q/∂y`).
    pub fn action_values(&self, features: &[S]) -> Result<[S; K], Error> {
        Ok(self.linear.apply(&finite_array(features)?))
    }

    /// `Q(s, y) = ⟨y, W s + b⟩` for a relaxed action `y` (`K` long, finite).
    pub fn value(&self, features: &[S], y: &[S]) -> Result<S, Error> {
        let q = self.action_values(features)?;
        same_len(K, y.len())?;
        finite(y)?;
        Ok(q.iter().zip(y).fold(S::ZERO, |acc, (&a, &b)| acc + a * b))
    }
}
