//! The choice of policy-gradient estimator, and the glue that hands one [`Decision`] and its
//! reward to [`gumbel::estimators`](crate::estimators): every estimate is computed there; this
//! file only chooses the upstream gradient and turns ascent directions into loss gradients.
//!
//! What each estimator differentiates, for logits `θ = W s + b`, the action `a` drawn with
//! Gumbel noise `g`, the reward `r`, the baseline `β` and the critic's action values
//! `q = W_c s + b_c` (so `Q(s, y) = ⟨q, y⟩`):
//!
//! | estimator | estimate of `∇θ E[r]` | unbiased |
//! |---|---|---|
//! | [`Estimator::Reinforce`] | `(r − β) (one_hot(a) − softmax(θ))` | yes |
//! | [`Estimator::StraightThrough`] | `J_yᵀ q` at `y = softmax((θ + g)/λ)` (the critic's gradient through the relaxed sample) | no: as good as the critic |
//! | [`Estimator::GumbelRao`] | the same, averaged over `M` draws of noise conditioned on `a` | no: as straight-through, less variance |
//! | [`Estimator::Relax`] | `[(r − β) − Q(s, ỹ)] ∇θ log p(a) + ∇θ Q(s, y) − ∇θ Q(s, ỹ)` (critic as surrogate, `ỹ` from conditional noise) | yes, for any critic |
//!
//! The critic is fitted by least squares to the advantage `r − β` of the action taken,
//! `½ (q_a − (r − β))²` (the relaxed estimators need it; REINFORCE leaves it alone). Fitting the
//! advantage rather than the raw reward makes an untried action neither favoured nor shunned
//! (its value stays 0, the average), which keeps the critic-driven estimators exploring. Note
//! that Grathwohl et al. (2018) train the RELAX surrogate on the estimator's variance instead;
//! the estimate is unbiased for any surrogate, so this only affects its variance.

use rand_core::Rng;

use super::{Config, Critic, Decision};
use crate::estimators::control_variate::{SCRATCH_PER_ACTION, Surrogate};
use crate::estimators::{Buffers, Choice, Draw, gumbel_rao, relax, score, straight_through};
use crate::{Error, Scalar};

/// Which policy-gradient estimator an [`Agent`](super::Agent) uses (see the table in the
/// `learner` module's estimator notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimator {
    /// REINFORCE (the score function) with the running-mean reward baseline.
    Reinforce,
    /// Straight-through Gumbel-Softmax: the critic's gradient through the relaxed sample of
    /// the same noise.
    StraightThrough,
    /// Gumbel-Rao: straight-through averaged over conditional noise.
    GumbelRao {
        /// `M`, the conditional draws averaged per decision (`K` random words each), from 1 to
        /// [`gumbel_rao::MAX_DRAWS`](crate::estimators::gumbel_rao::MAX_DRAWS).
        samples: u16,
    },
    /// RELAX with the critic as the surrogate (`K` random words per decision).
    Relax,
}

impl Estimator {
    /// Every estimator, in the order the reports list them (Gumbel-Rao with `M = 10`).
    pub const ALL: [Estimator; 4] = [
        Estimator::Reinforce,
        Estimator::StraightThrough,
        Estimator::GumbelRao { samples: 10 },
        Estimator::Relax,
    ];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Estimator::Reinforce => "REINFORCE+baseline",
            Estimator::StraightThrough => "straight-through",
            Estimator::GumbelRao { .. } => "Gumbel-Rao",
            Estimator::Relax => "RELAX",
        }
    }

    /// `true` if the estimator needs (and so trains) the critic.
    pub fn uses_critic(self) -> bool {
        !matches!(self, Estimator::Reinforce)
    }

    pub(crate) fn validate(self) -> Result<(), Error> {
        match self {
            Estimator::GumbelRao { samples }
                if !(1..=gumbel_rao::MAX_DRAWS).contains(&usize::from(samples)) =>
            {
                Err(Error::InvalidParameter)
            }
            _ => Ok(()),
        }
    }
}

/// The gradients of the loss for one decision, with respect to the policy's logits and the
/// critic's action values (to be multiplied by the features for the weights).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Gradients<S, const K: usize> {
    pub(crate) logits: [S; K],
    pub(crate) action_values: [S; K],
}

/// The critic at one state, as the RELAX surrogate: `c(y) = ⟨q, y⟩`, `∂c/∂y = q`.
struct CriticAt<S, const K: usize>([S; K]);

impl<S: Scalar, const K: usize> Surrogate<S> for CriticAt<S, K> {
    fn evaluate(&mut self, relaxed: &[S], gradient: &mut [S]) -> Result<S, Error> {
        let mut value = S::ZERO;
        for ((g, &q), &y) in gradient.iter_mut().zip(&self.0).zip(relaxed) {
            *g = q;
            value += q * y;
        }
        Ok(value)
    }
}

/// The loss gradients for `decision` followed by `reward`, with the estimator of `config`.
pub(crate) fn gradients<S: Scalar, R: Rng + ?Sized, const D: usize, const K: usize>(
    config: &Config<S>,
    critic: &Critic<S, D, K>,
    baseline: S,
    rng: &mut R,
    decision: &Decision<S, D, K>,
    reward: S,
) -> Result<Gradients<S, K>, Error> {
    let logits = &decision.logits;
    let action = decision.action;
    let temperature = config.temperature;
    let advantage = reward - baseline;
    let mut ascent = [S::ZERO; K];
    let mut action_values = [S::ZERO; K];
    let q = critic.linear.apply(&decision.features);
    match config.estimator {
        Estimator::Reinforce => {
            score::reinforce_categorical(logits, None, action, reward, baseline, &mut ascent)?;
        }
        Estimator::StraightThrough => {
            ascent = q;
            straight_through::backward(logits, None, &decision.noise, temperature, &mut ascent)?;
        }
        Estimator::GumbelRao { samples } => {
            let mut scratch = [S::ZERO; K];
            gumbel_rao::categorical(
                rng,
                Choice {
                    logits,
                    allowed: None,
                    action,
                },
                temperature,
                usize::from(samples),
                &q,
                Buffers {
                    gradient: &mut ascent,
                    scratch: &mut scratch,
                },
            )?;
        }
        Estimator::Relax => {
            let mut scratch = [[S::ZERO; K]; SCRATCH_PER_ACTION];
            relax::categorical(
                rng,
                Draw {
                    logits,
                    allowed: None,
                    noise: &decision.noise,
                },
                temperature,
                advantage,
                &mut CriticAt(q),
                Buffers {
                    gradient: &mut ascent,
                    scratch: scratch.as_flattened_mut(),
                },
            )?;
        }
    }
    if config.estimator.uses_critic()
        && let (Some(slot), Some(&q_a)) = (action_values.get_mut(action), q.get(action))
    {
        *slot = q_a - advantage;
    }
    let mut loss = [S::ZERO; K];
    for (l, a) in loss.iter_mut().zip(ascent) {
        *l = -a;
    }
    Ok(Gradients {
        logits: loss,
        action_values,
    })
}
