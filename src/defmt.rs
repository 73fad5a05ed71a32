//! Every `defmt::Format` implementation of the crate, in one place (feature `defmt`).

use defmt::{Format, Formatter, write};

use crate::distributions::{BinaryConcrete, Gumbel, Logistic};
use crate::estimators::control_variate::{AdaptiveEta, Terms};
use crate::estimators::schedule::Schedule;
use crate::estimators::score::Baseline;
use crate::learner::{
    Agent, Config, Critic, Decision, Estimator, Hidden, Linear, Network, Optimiser, OptimiserState,
    Policy,
};
use crate::{Error, Scalar, Temperature};

impl Format for Error {
    fn format(&self, f: Formatter<'_>) {
        match *self {
            Error::Empty => write!(f, "empty input"),
            Error::LengthMismatch { expected, found } => {
                write!(
                    f,
                    "length mismatch: expected {=usize}, found {=usize}",
                    expected, found
                )
            }
            Error::Nan { index } => write!(f, "NaN input at index {=usize}", index),
            Error::NotFinite { index } => write!(f, "infinite input at index {=usize}", index),
            Error::AllMasked => write!(f, "every action is masked"),
            Error::TooFewActions {
                requested,
                available,
            } => write!(
                f,
                "{=usize} distinct actions requested but only {=usize} are unmasked",
                requested, available
            ),
            Error::InvalidTemperature => {
                write!(f, "temperature must be finite and strictly positive")
            }
            Error::BufferTooSmall { needed, found } => {
                write!(
                    f,
                    "buffer too small: needed {=usize}, found {=usize}",
                    needed, found
                )
            }
            Error::OutsideSupport => write!(f, "point outside the distribution's support"),
            Error::UnavailableAction { index } => {
                write!(f, "action {=usize} is out of range or masked", index)
            }
            Error::NoiseMismatch => write!(f, "noise does not produce the given action"),
            Error::InvalidParameter => write!(f, "hyperparameter outside its documented range"),
            Error::NonFiniteUpdate => {
                write!(f, "result would not be finite; nothing written or applied")
            }
            Error::CorruptedState => write!(f, "stored state is corrupted or of another version"),
            Error::EpisodeOver => write!(f, "the episode is over; reset before stepping"),
        }
    }
}

/// A temperature prints as its value, in the scalar's own format.
impl<S: Scalar + Format> Format for Temperature<S> {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "Temperature({})", self.get())
    }
}

/// The raw I16F16 bits (value · 2^16): formatting the decimal value would need division code
/// the firmware does not otherwise link.
#[cfg(feature = "fixed")]
impl Format for crate::Fixed {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "Fixed({=i32} / 65536)", self.bits())
    }
}

// ---------------------------------------------------------------- distributions

impl<S: Scalar + Format> Format for Gumbel<S> {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "Gumbel {{ location: {}, scale: {} }}",
            self.location(),
            self.scale()
        )
    }
}

impl<S: Scalar + Format> Format for Logistic<S> {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "Logistic {{ location: {}, scale: {} }}",
            self.location(),
            self.scale()
        )
    }
}

impl<S: Scalar + Format> Format for BinaryConcrete<S> {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "BinaryConcrete {{ logit: {}, temperature: {} }}",
            self.logit(),
            self.temperature()
        )
    }
}

// ---------------------------------------------------------------- estimators

impl<S: Scalar + Format> Format for Terms<S> {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "Terms {{ action: {=usize}, surrogate: {}, conditional_surrogate: {}, eta_variance_gradient: {} }}",
            self.action, self.surrogate, self.conditional_surrogate, self.eta_variance_gradient
        )
    }
}

impl<S: Scalar + Format> Format for Baseline<S> {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "Baseline {{ value: {}, count: {=u32} }}",
            self.value(),
            self.count()
        )
    }
}

impl<S: Scalar + Format> Format for AdaptiveEta<S> {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "AdaptiveEta {{ eta: {} }}", self.value())
    }
}

impl<S: Scalar + Format> Format for Schedule<S> {
    fn format(&self, f: Formatter<'_>) {
        match *self {
            Schedule::Constant(lambda) => write!(f, "Constant({})", lambda),
            Schedule::ExponentialDecay {
                initial,
                rate,
                floor,
            } => write!(
                f,
                "ExponentialDecay {{ initial: {}, rate: {}, floor: {} }}",
                initial, rate, floor
            ),
        }
    }
}

// ---------------------------------------------------------------- learner

impl Format for Estimator {
    fn format(&self, f: Formatter<'_>) {
        match *self {
            Estimator::GumbelRao { samples } => {
                write!(f, "{=str} (M = {=u16})", self.name(), samples)
            }
            _ => write!(f, "{=str}", self.name()),
        }
    }
}

impl<S: Scalar + Format> Format for Optimiser<S> {
    fn format(&self, f: Formatter<'_>) {
        match *self {
            Optimiser::Sgd {
                learning_rate,
                momentum,
            } => write!(
                f,
                "Sgd {{ learning_rate: {}, momentum: {} }}",
                learning_rate, momentum
            ),
            Optimiser::Adam {
                learning_rate,
                beta1,
                beta2,
                epsilon,
            } => write!(
                f,
                "Adam {{ learning_rate: {}, beta1: {}, beta2: {}, epsilon: {} }}",
                learning_rate, beta1, beta2, epsilon
            ),
            Optimiser::AdaMax {
                learning_rate,
                beta1,
                beta2,
                epsilon,
            } => write!(
                f,
                "AdaMax {{ learning_rate: {}, beta1: {}, beta2: {}, epsilon: {} }}",
                learning_rate, beta1, beta2, epsilon
            ),
        }
    }
}

impl<S: Scalar + Format> Format for Config<S> {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "Config {{ estimator: {}, temperature: {}, policy_optimiser: {}, critic_optimiser: {}, max_gradient_norm: {}, baseline_decay: {} }}",
            self.estimator,
            self.temperature,
            self.policy_optimiser,
            self.critic_optimiser,
            self.max_gradient_norm,
            self.baseline_decay
        )
    }
}

impl<S: Scalar + Format, const D: usize, const K: usize> Format for Decision<S, D, K> {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "Decision {{ action: {=usize}, features: {}, logits: {}, noise: {}, has_noise: {=bool} }}",
            self.action(),
            self.features(),
            self.logits(),
            self.noise(),
            self.has_noise()
        )
    }
}

impl<S: Scalar + Format, const D: usize, const K: usize> Format for Linear<S, D, K> {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "Linear {{ weights: {}, bias: {} }}",
            self.weights(),
            self.bias()
        )
    }
}

impl<S: Scalar + Format, const D: usize, const H: usize, const K: usize> Format
    for Hidden<S, D, H, K>
{
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "Hidden {{ hidden: {}, output: {} }}",
            self.hidden, self.output
        )
    }
}

impl<S: Scalar + Format, const D: usize, const K: usize, N: Network<S, D, K> + Format> Format
    for Policy<S, D, K, N>
{
    fn format(&self, f: Formatter<'_>) {
        write!(f, "Policy({})", self.network)
    }
}

impl<S: Scalar + Format, const D: usize, const K: usize, N: Network<S, D, K> + Format> Format
    for Critic<S, D, K, N>
{
    fn format(&self, f: Formatter<'_>) {
        write!(f, "Critic({})", self.network)
    }
}

impl<S: Scalar + Format, const D: usize, const K: usize, N: Network<S, D, K> + Format> Format
    for OptimiserState<S, D, K, N>
{
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "OptimiserState {{ first: {}, second: {}, beta1_power: {}, beta2_power: {} }}",
            self.first, self.second, self.beta1_power, self.beta2_power
        )
    }
}

/// An agent prints its progress, not its parameters (format the policy and critic for those).
impl<S, const D: usize, const K: usize, P, C> Format for Agent<S, D, K, P, C>
where
    S: Scalar + Format,
    P: Network<S, D, K>,
    C: Network<S, D, K>,
{
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "Agent {{ estimator: {}, updates: {=u32}, pending: {=u32}, baseline: {} }}",
            self.config().estimator,
            self.updates(),
            self.pending(),
            self.baseline()
        )
    }
}

// ---------------------------------------------------------------- tasks

#[cfg(feature = "tasks")]
impl Format for crate::tasks::Bandit {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "Bandit {{ context: {=usize} }}", self.context())
    }
}

#[cfg(feature = "tasks")]
impl Format for crate::tasks::XorBandit {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "XorBandit {{ bits: {} }}", self.bits())
    }
}

#[cfg(feature = "tasks")]
impl Format for crate::tasks::CartPole {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "CartPole {{ state: {}, steps: {=u32}, done: {=bool} }}",
            self.state(),
            self.steps(),
            self.is_done()
        )
    }
}

#[cfg(feature = "tasks")]
impl<const N: usize> Format for crate::tasks::MovingSum<N> {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "MovingSum {{ window: {=usize}, sum: {=u64}, full: {=bool} }}",
            N,
            self.sum(),
            self.is_full()
        )
    }
}
