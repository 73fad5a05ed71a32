//! The choice of policy-gradient estimator, and the glue that hands one [`Decision`] and its
//! reward to [`gumbel::estimators`](crate::estimators). Every call into that module is in this
//! file; what each estimator differentiates is documented on [`Estimator`].

use rand_core::Rng;

use super::Decision;
use crate::estimators::control_variate::{SCRATCH_PER_ACTION, Surrogate};
use crate::estimators::{Buffers, Choice, Draw, gumbel_rao, relax, score, straight_through};
use crate::{Error, Scalar, Temperature};

/// Which policy-gradient estimator an [`Agent`](super::Agent) uses.
///
/// What each one estimates, for logits `θ = f(s)`, the action `a` drawn with Gumbel noise `g`,
/// the reward (or return) `r`, the running-mean baseline `β` and the critic's action values
/// `q = q(s)` (so `Q(s, y) = ⟨q, y⟩`, see [`Critic`](super::Critic)):
///
/// | estimator | estimate of `∇θ E[r]` | unbiased |
/// |---|---|---|
/// | [`Reinforce`](Self::Reinforce) | `(r − β) (one_hot(a) − softmax(θ))` | yes |
/// | [`StraightThrough`](Self::StraightThrough) | `J_yᵀ q` at `y = softmax((θ + g)/λ)` (the critic's gradient through the relaxed sample) | no: as good as the critic |
/// | [`GumbelRao`](Self::GumbelRao) | the same, averaged over `M` draws of noise conditioned on `a` | no: as straight-through, less variance |
/// | [`Relax`](Self::Relax) | `[(r − β) − Q(s, ỹ)] ∇θ log p(a) + ∇θ Q(s, y) − ∇θ Q(s, ỹ)` (critic as surrogate, `ỹ` from conditional noise) | yes, for any critic |
///
/// The critic is fitted by least squares to the target of the action taken minus the baseline,
/// `½ (q_a − (t − β))²`, where the target `t` is the reward itself
/// ([`Agent::observe`](super::Agent::observe): a Monte-Carlo return in an episodic task) or one
/// the caller computes ([`Agent::observe_with_target`](super::Agent::observe_with_target), e.g.
/// a TD(0) target from [`Agent::value`](super::Agent::value)). REINFORCE leaves it alone.
/// Fitting relative to the baseline makes an untried action neither favoured nor shunned (its
/// value stays 0, the average), which keeps the critic-driven estimators exploring. Grathwohl
/// et al. (2018) train the RELAX surrogate on the estimator's variance instead; the estimate is
/// unbiased for any surrogate, so this only affects its variance.
///
/// Random words per [`Agent::observe`](super::Agent::observe): none for REINFORCE and
/// straight-through, `M·K` for Gumbel-Rao, `K` for RELAX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimator {
    /// REINFORCE (the score function) with the running-mean reward baseline. Its agent draws
    /// actions without keeping their noise ([`Decision::has_noise`] is `false`).
    Reinforce,
    /// Straight-through Gumbel-Softmax: the critic's gradient through the relaxed sample of
    /// the same noise.
    StraightThrough,
    /// Gumbel-Rao: straight-through averaged over conditional noise.
    GumbelRao {
        /// `M`, the conditional draws averaged per decision (`K` random words each), from 1 to
        /// [`gumbel_rao::MAX_DRAWS`].
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

    /// `true` if the estimator needs the noise that drew the action.
    pub fn uses_noise(self) -> bool {
        matches!(self, Estimator::StraightThrough | Estimator::Relax)
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

    /// A bound on every component of the estimate [`ascent`] writes, from what is known before
    /// any random word is drawn: the advantage `r − β`, the critic's values `q` and λ. With
    /// `Q = max_k |q_k|`: a score `one_hot(a) − softmax(θ)` has components in `[−1, 1]`; the
    /// Concrete VJP `y ⊙ (q − ⟨q, y⟩)/λ` has components at most `2Q/λ` and sums of magnitudes at
    /// most `2Q/λ`; the conditional noise's backward pass adds at most that sum times a
    /// probability; `Q(s, ỹ) ≤ Q`. Hence REINFORCE `|r − β|`, straight-through and Gumbel-Rao
    /// `2Q/λ`, RELAX `|r − β| + Q + 6Q/λ`. Saturates (fixed point) or becomes infinite (`f32`)
    /// rather than wrapping.
    pub(crate) fn bound<S: Scalar, const K: usize>(
        self,
        temperature: Temperature<S>,
        advantage: S,
        q: &[S; K],
    ) -> S {
        let largest = q.iter().fold(S::ZERO, |m, v| m.max(v.abs()));
        let per_lambda = largest / temperature.get();
        match self {
            Estimator::Reinforce => advantage.abs(),
            Estimator::StraightThrough | Estimator::GumbelRao { .. } => per_lambda + per_lambda,
            Estimator::Relax => {
                let two = per_lambda + per_lambda;
                advantage.abs() + largest + two + two + two
            }
        }
    }
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

/// The estimate of `∇θ E[r]` (an ascent direction for the logits) for `decision`, with
/// advantage `r − β` and the critic's values `q` at its features, by `estimator` at
/// `temperature`. Draws from `rng` only for Gumbel-Rao and RELAX.
pub(crate) fn ascent<S: Scalar, R: Rng + ?Sized, const D: usize, const K: usize>(
    estimator: Estimator,
    temperature: Temperature<S>,
    rng: &mut R,
    decision: &Decision<S, D, K>,
    advantage: S,
    q: &[S; K],
) -> Result<[S; K], Error> {
    let logits = &decision.logits;
    let mut ascent = [S::ZERO; K];
    match estimator {
        Estimator::Reinforce => {
            score::reinforce_categorical(
                logits,
                None,
                decision.action(),
                advantage,
                S::ZERO,
                &mut ascent,
            )?;
        }
        Estimator::StraightThrough => {
            ascent = *q;
            straight_through::backward(logits, None, &decision.noise, temperature, &mut ascent)?;
        }
        Estimator::GumbelRao { samples } => {
            let mut scratch = [S::ZERO; K];
            gumbel_rao::categorical(
                rng,
                Choice {
                    logits,
                    allowed: None,
                    action: decision.action(),
                },
                temperature,
                usize::from(samples),
                q,
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
                &mut CriticAt(*q),
                Buffers {
                    gradient: &mut ascent,
                    scratch: scratch.as_flattened_mut(),
                },
            )?;
        }
    }
    Ok(ascent)
}
