//! The body of each probe: one public entry point called on opaque inputs. Generic probes are
//! instantiated for [`f32`] and [`fixed`] by `main.rs`.

use core::hint::black_box as opaque;

use gumbel::distributions::{BinaryConcrete, Categorical, Concrete, Gumbel, Logistic};
use gumbel::estimators::control_variate::{
    AdaptiveEta, BinarySurrogate, SCRATCH_PER_ACTION, Surrogate,
};
use gumbel::estimators::schedule::Schedule;
use gumbel::estimators::{
    Buffers, Choice, Draw, gumbel_rao, rebar, relax, reparam, score, straight_through,
};
use gumbel::learner::{Agent, Config, Critic, Estimator, Hidden, Linear, Optimiser, Policy, clip};
use gumbel::tasks::{Bandit, ContextualBandit, MovingSum, XorAgent, XorBandit};
#[cfg(feature = "f32")]
use gumbel::tasks::{CartPole, CartPoleAgent};
use gumbel::{
    Error, Scalar, Temperature, binary, categorical, concrete, conditional, noise, topk, vectors,
};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

pub use core::primitive::f32;
/// The fixed-point scalar, under the name its probes carry.
#[allow(non_camel_case_types)]
pub type fixed = gumbel::Fixed;

/// Logits per call; every slice's length is hidden from the optimiser anyway.
const K: usize = 8;
const D: usize = 4;
const A: usize = 4;

static MASK: [bool; K] = [true, false, true, true, true, true, false, true];

fn rng() -> Xoshiro128PlusPlus {
    Xoshiro128PlusPlus::seed_from_u64(opaque(1))
}

fn value<S: Scalar>(n: i32) -> S {
    opaque(S::from_i32(n) / S::from_i32(opaque(4)))
}

fn array<S: Scalar, const N: usize>() -> [S; N] {
    opaque(core::array::from_fn(|k| value(k as i32 - 3)))
}

fn slice<S>(a: &[S]) -> &[S] {
    opaque(a)
}

fn slice_mut<S>(a: &mut [S]) -> &mut [S] {
    opaque(a)
}

fn mask() -> Option<&'static [bool]> {
    opaque(Some(&MASK[..]))
}

fn index() -> usize {
    opaque(2)
}

fn lambda<S: Scalar>() -> Result<Temperature<S>, Error> {
    Temperature::new(opaque(S::HALF))
}

fn sink<T>(x: T) {
    opaque(x);
}

/// `c(x) = Σ w_k x_k`: the simplest surrogate, so the estimators' own code is what gets linked.
struct Weights<S>([S; K]);

impl<S: Scalar> Surrogate<S> for Weights<S> {
    fn evaluate(&mut self, relaxed: &[S], gradient: &mut [S]) -> Result<S, Error> {
        let mut total = S::ZERO;
        for ((x, w), g) in relaxed.iter().zip(&self.0).zip(gradient) {
            total += *x * *w;
            *g = *w;
        }
        Ok(total)
    }
}

impl<S: Scalar> BinarySurrogate<S> for Weights<S> {
    fn evaluate(&mut self, relaxed: S) -> Result<(S, S), Error> {
        let w = self.0.first().copied().unwrap_or(S::ONE);
        Ok((relaxed * w, w))
    }
}

pub fn noise_uniform<S: Scalar>() {
    sink(noise::uniform::<S, _>(&mut rng()));
}
pub fn noise_gumbel<S: Scalar>() {
    sink(noise::gumbel::<S, _>(&mut rng()));
}
pub fn noise_logistic<S: Scalar>() {
    sink(noise::logistic::<S, _>(&mut rng()));
}
pub fn noise_exponential<S: Scalar>() {
    sink(noise::exponential::<S, _>(&mut rng()));
}
pub fn noise_fill_gumbel<S: Scalar>() {
    let mut out = [S::ZERO; K];
    noise::fill_gumbel(&mut rng(), slice_mut(&mut out));
    sink(out);
}

pub fn categorical_sample<S: Scalar>() {
    sink(categorical::sample(&mut rng(), slice(&array::<S, K>())));
}
pub fn categorical_sample_masked<S: Scalar>() {
    let allowed = opaque(&MASK[..]);
    sink(categorical::sample_masked(
        &mut rng(),
        slice(&array::<S, K>()),
        allowed,
    ));
}
pub fn categorical_sample_with_noise<S: Scalar>() {
    let mut noise = [S::ZERO; K];
    let logits = array::<S, K>();
    sink(categorical::sample_with_noise(
        &mut rng(),
        slice(&logits),
        mask(),
        slice_mut(&mut noise),
    ));
    sink(noise);
}
pub fn categorical_sample_with_noise_array<S: Scalar>() {
    sink(categorical::sample_with_noise_array(
        &mut rng(),
        &array::<S, K>(),
    ));
}
pub fn categorical_argmax_perturbed<S: Scalar>() {
    let (logits, noise) = (array::<S, K>(), array::<S, K>());
    sink(categorical::argmax_perturbed(
        slice(&logits),
        mask(),
        slice(&noise),
    ));
}

pub fn topk_top_k<S: Scalar>() {
    let mut indices = [0usize; 3];
    let mut keys = [S::ZERO; 3];
    let logits = array::<S, K>();
    let result = topk::top_k(
        &mut rng(),
        slice(&logits),
        mask(),
        slice_mut(&mut indices),
        slice_mut(&mut keys),
    );
    sink((result, indices, keys));
}
pub fn topk_top_k_vec<S: Scalar>() {
    let logits = array::<S, K>();
    sink(topk::top_k_vec::<S, _, 4>(
        &mut rng(),
        slice(&logits),
        mask(),
        index(),
    ));
}

fn concrete_into<S: Scalar>(
    f: impl FnOnce(&[S], &mut [S], Temperature<S>) -> Result<usize, Error>,
) {
    let Ok(t) = lambda::<S>() else { return };
    let mut out = [S::ZERO; K];
    let logits = array::<S, K>();
    sink(f(slice(&logits), slice_mut(&mut out), t));
    sink(out);
}
pub fn concrete_sample<S: Scalar>() {
    concrete_into::<S>(|l, out, t| concrete::sample(&mut rng(), l, mask(), t, out).map(|()| 0));
}
pub fn concrete_sample_log<S: Scalar>() {
    concrete_into::<S>(|l, out, t| concrete::sample_log(&mut rng(), l, mask(), t, out).map(|()| 0));
}
pub fn concrete_from_noise<S: Scalar>() {
    let noise = array::<S, K>();
    concrete_into::<S>(|l, out, t| concrete::from_noise(l, mask(), slice(&noise), t, out));
}
pub fn concrete_log_from_noise<S: Scalar>() {
    let noise = array::<S, K>();
    concrete_into::<S>(|l, out, t| concrete::log_from_noise(l, mask(), slice(&noise), t, out));
}
pub fn concrete_log_density<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    let (logits, x) = (array::<S, K>(), array::<S, K>());
    sink(concrete::log_density(slice(&logits), mask(), t, slice(&x)));
}
pub fn concrete_exp_log_density<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    let (logits, y) = (array::<S, K>(), array::<S, K>());
    sink(concrete::exp_log_density(
        slice(&logits),
        mask(),
        t,
        slice(&y),
    ));
}

pub fn binary_sample_logit<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    sink(binary::sample_logit(&mut rng(), value::<S>(3), t));
}
pub fn binary_sample<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    sink(binary::sample(&mut rng(), value::<S>(3), t));
}
pub fn binary_logit_from_noise<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    sink(binary::logit_from_noise(value::<S>(3), value::<S>(-5), t));
}
pub fn binary_log_density_logit<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    sink(binary::log_density_logit(value::<S>(3), t, value::<S>(1)));
}
pub fn binary_log_density<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    sink(binary::log_density(value::<S>(3), t, value::<S>(1)));
}
pub fn binary_cdf<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    sink(binary::cdf(value::<S>(3), t, value::<S>(1)));
}

pub fn conditional_categorical<S: Scalar>() {
    let mut noise = [S::ZERO; K];
    let logits = array::<S, K>();
    let result = conditional::categorical(
        &mut rng(),
        slice(&logits),
        mask(),
        index(),
        slice_mut(&mut noise),
    );
    sink((result, noise));
}
pub fn conditional_categorical_from_gumbel<S: Scalar>() {
    let mut noise = [S::ZERO; K];
    let (logits, standard) = (array::<S, K>(), array::<S, K>());
    let result = conditional::categorical_from_gumbel(
        slice(&logits),
        mask(),
        index(),
        slice(&standard),
        slice_mut(&mut noise),
    );
    sink((result, noise));
}
pub fn conditional_categorical_backward<S: Scalar>() {
    let (logits, noise) = (array::<S, K>(), array::<S, K>());
    let mut upstream = array::<S, K>();
    let result = conditional::categorical_backward(
        slice(&logits),
        mask(),
        index(),
        slice(&noise),
        slice_mut(&mut upstream),
    );
    sink((result, upstream));
}
pub fn conditional_binary<S: Scalar>() {
    sink(conditional::binary(&mut rng(), value::<S>(3), opaque(true)));
}
pub fn conditional_binary_from_logistic<S: Scalar>() {
    sink(conditional::binary_from_logistic(
        value::<S>(3),
        opaque(true),
        value::<S>(1),
    ));
}
pub fn conditional_binary_derivative<S: Scalar>() {
    sink(conditional::binary_derivative(
        value::<S>(3),
        opaque(true),
        value::<S>(1),
    ));
}

pub fn reparam_concrete<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    let (logits, noise) = (array::<S, K>(), array::<S, K>());
    let mut upstream = array::<S, K>();
    let result = reparam::concrete(
        slice(&logits),
        mask(),
        slice(&noise),
        t,
        slice_mut(&mut upstream),
    );
    sink((result, upstream));
}
pub fn reparam_binary<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    sink(reparam::binary(
        value::<S>(3),
        value::<S>(1),
        t,
        value::<S>(2),
    ));
}

pub fn straight_through_sample<S: Scalar>() {
    concrete_into::<S>(|l, out, t| straight_through::sample(&mut rng(), l, mask(), t, out));
}
pub fn straight_through_one_hot<S: Scalar>() {
    let mut out = [S::ZERO; K];
    sink(straight_through::one_hot(index(), slice_mut(&mut out)));
    sink(out);
}
pub fn straight_through_sample_binary<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    sink(straight_through::sample_binary(
        &mut rng(),
        value::<S>(3),
        t,
    ));
}
pub fn straight_through_backward<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    let (logits, noise) = (array::<S, K>(), array::<S, K>());
    let mut upstream = array::<S, K>();
    let result = straight_through::backward(
        slice(&logits),
        mask(),
        slice(&noise),
        t,
        slice_mut(&mut upstream),
    );
    sink((result, upstream));
}
pub fn straight_through_backward_binary<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    sink(straight_through::backward_binary(
        value::<S>(3),
        value::<S>(1),
        t,
        value::<S>(2),
    ));
}

pub fn score_categorical<S: Scalar>() {
    let logits = array::<S, K>();
    let mut out = [S::ZERO; K];
    sink(score::categorical(
        slice(&logits),
        mask(),
        index(),
        slice_mut(&mut out),
    ));
    sink(out);
}
pub fn score_bernoulli<S: Scalar>() {
    sink(score::bernoulli(value::<S>(3), opaque(false)));
}
pub fn score_reinforce_categorical<S: Scalar>() {
    let logits = array::<S, K>();
    let mut out = [S::ZERO; K];
    sink(score::reinforce_categorical(
        slice(&logits),
        mask(),
        index(),
        value::<S>(4),
        value::<S>(1),
        slice_mut(&mut out),
    ));
    sink(out);
}
pub fn score_reinforce_bernoulli<S: Scalar>() {
    sink(score::reinforce_bernoulli(
        value::<S>(3),
        opaque(true),
        value::<S>(4),
        value::<S>(1),
    ));
}
pub fn score_baseline<S: Scalar>() {
    let Ok(mut baseline) = score::Baseline::<S>::new(value(3)) else {
        return;
    };
    sink(baseline.update(value(5)));
    sink((baseline.value(), baseline.count()));
    sink(score::Baseline::resume(value::<S>(3), value(1), opaque(7)));
}

pub fn gumbel_rao_categorical<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    let (logits, upstream) = (array::<S, K>(), array::<S, K>());
    let (mut gradient, mut scratch) = ([S::ZERO; K], [S::ZERO; K]);
    let choice = Choice {
        logits: slice(&logits),
        allowed: mask(),
        action: index(),
    };
    let out = Buffers {
        gradient: slice_mut(&mut gradient),
        scratch: slice_mut(&mut scratch),
    };
    sink(gumbel_rao::categorical(
        &mut rng(),
        choice,
        t,
        opaque(4),
        slice(&upstream),
        out,
    ));
    sink(gradient);
}
pub fn gumbel_rao_binary<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    sink(gumbel_rao::binary(
        &mut rng(),
        value::<S>(3),
        opaque(true),
        t,
        opaque(4),
        value(2),
    ));
}

fn control_variate<S: Scalar>(
    estimator: impl FnOnce(Draw<'_, S>, Temperature<S>, &mut Weights<S>, Buffers<'_, S>),
) {
    let Ok(t) = lambda::<S>() else { return };
    let (logits, noise) = (array::<S, K>(), array::<S, K>());
    let (mut gradient, mut scratch) = ([S::ZERO; K], [S::ZERO; SCRATCH_PER_ACTION * K]);
    let draw = Draw {
        logits: slice(&logits),
        allowed: mask(),
        noise: slice(&noise),
    };
    let out = Buffers {
        gradient: slice_mut(&mut gradient),
        scratch: slice_mut(&mut scratch),
    };
    estimator(draw, t, &mut Weights(array()), out);
    sink(gradient);
}
pub fn rebar_categorical<S: Scalar>() {
    control_variate::<S>(|draw, t, f, out| {
        sink(rebar::categorical(&mut rng(), draw, t, value(4), f, out));
    });
}
pub fn relax_categorical<S: Scalar>() {
    control_variate::<S>(|draw, t, c, out| {
        sink(relax::categorical(&mut rng(), draw, t, value(4), c, out));
    });
}
pub fn rebar_binary<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    let mut f = Weights(array::<S, K>());
    sink(rebar::binary(
        &mut rng(),
        value::<S>(3),
        value(1),
        t,
        value(4),
        &mut f,
    ));
}
pub fn relax_binary<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    let mut c = Weights(array::<S, K>());
    sink(relax::binary(
        &mut rng(),
        value::<S>(3),
        value(1),
        t,
        value(4),
        &mut c,
    ));
}

pub fn control_variate_adaptive_eta<S: Scalar>() {
    let Ok(mut eta) = AdaptiveEta::<S>::new(value(4), value(1)) else {
        return;
    };
    let terms = gumbel::estimators::control_variate::Terms {
        action: index(),
        surrogate: value(1),
        conditional_surrogate: value(2),
        eta_variance_gradient: value(3),
    };
    sink(eta.update(&terms));
    sink(eta.value());
}
pub fn schedule<S: Scalar>() {
    sink(Schedule::constant(value::<S>(2)));
    let Ok(mut schedule) = Schedule::exponential_decay(value::<S>(4), value(1), value(2)) else {
        return;
    };
    sink(schedule.at(opaque(3)));
    sink(schedule.set(value(5)));
}
pub fn temperature_new<S: Scalar>() {
    sink(Temperature::new(value::<S>(2)).map(Temperature::get));
}

pub fn scalar_arithmetic<S: Scalar>() {
    let (a, b) = (value::<S>(5), value::<S>(-3));
    sink((a + b, a - b, a * b, a / b, -a, a.max(b), a.min(b), a.abs()));
    sink((
        a.is_nan(),
        a.is_finite(),
        a.is_neg_infinity(),
        a.is_pos_infinity(),
    ));
    sink((S::from_i32(opaque(7)), S::from_bits(opaque(9)).to_bits()));
}
pub fn scalar_exp<S: Scalar>() {
    sink(value::<S>(-5).exp());
}
pub fn scalar_ln<S: Scalar>() {
    sink(value::<S>(5).ln());
}
pub fn scalar_ln_1p<S: Scalar>() {
    sink(value::<S>(5).ln_1p());
}
pub fn scalar_sqrt<S: Scalar>() {
    sink(value::<S>(5).sqrt());
}
pub fn scalar_exp_sum<S: Scalar>() {
    let mut sum = S::exp_sum_new();
    sink(S::exp_and_accumulate(value(-5), &mut sum));
    sink((S::exp_sum_ln(sum), S::exp_sum_recip(sum)));
}
pub fn scalar_from_word<S: Scalar>() {
    let word = opaque(0x1234_5678);
    sink((
        S::uniform_from_word(word),
        S::exponential_from_word(word),
        S::gumbel_from_word(word),
        S::logistic_from_word(word),
    ));
}
#[cfg(feature = "f32")]
pub fn scalar_f64_conversions<S: Scalar>() {
    sink((S::from_f64(opaque(0.25)), value::<S>(3).to_f64()));
}

fn config<S: Scalar>() -> Result<Config<S>, Error> {
    let estimator = opaque(Estimator::ALL)
        .get(index())
        .copied()
        .unwrap_or(Estimator::Relax);
    let optimiser = opaque(Optimiser::Adam {
        learning_rate: value(1),
        beta1: value(3),
        beta2: value(3),
        epsilon: value(1),
    });
    Ok(Config {
        estimator,
        temperature: lambda()?,
        policy_optimiser: optimiser,
        critic_optimiser: optimiser,
        max_gradient_norm: value(8),
        baseline_decay: value(3),
    })
}
fn agent<S: Scalar>() -> Result<Agent<S, D, A>, Error> {
    Agent::new(config()?)
}
fn linear<S: Scalar>() -> Linear<S, D, A> {
    Linear::new(core::array::from_fn(|_| array()), array())
}

pub fn agent_new<S: Scalar>() {
    sink(agent::<S>());
}
pub fn agent_with_networks<S: Scalar>() {
    let Ok(config) = config::<S>() else { return };
    sink(Agent::with_networks(
        config,
        Policy::new(linear()),
        Critic::new(linear()),
    ));
}
pub fn agent_act<S: Scalar>() {
    let Ok(agent) = agent::<S>() else { return };
    sink(agent.act(&mut rng(), slice(&array::<S, D>())));
}
pub fn agent_observe<S: Scalar>() {
    let Ok(mut agent) = agent::<S>() else { return };
    let Ok(decision) = agent.act(&mut rng(), &array::<S, D>()) else {
        return;
    };
    sink(agent.observe(&mut rng(), opaque(&decision), value(4)));
    sink(agent);
}
pub fn agent_update<S: Scalar>() {
    let Ok(mut agent) = agent::<S>() else { return };
    sink(agent.update());
    sink(agent);
}
pub fn agent_learn<S: Scalar>() {
    let Ok(mut agent) = agent::<S>() else { return };
    let Ok(decision) = agent.act(&mut rng(), &array::<S, D>()) else {
        return;
    };
    sink(agent.learn(&mut rng(), opaque(&decision), value(4)));
    sink(agent);
}
pub fn agent_save<S: Scalar>() {
    let Ok(agent) = agent::<S>() else { return };
    let mut blob = [0u8; Agent::<fixed, D, A>::BLOB_LEN];
    sink(agent.save(slice_mut(&mut blob)));
    sink(blob);
}
pub fn agent_load<S: Scalar>() {
    let Ok(mut agent) = agent::<S>() else { return };
    let blob = opaque([7u8; Agent::<fixed, D, A>::BLOB_LEN]);
    sink(agent.load(slice(&blob)));
    sink(agent);
}
pub fn agent_accessors<S: Scalar>() {
    let Ok(agent) = agent::<S>() else { return };
    let agent = opaque(&agent);
    sink((
        agent.pending_gradients(),
        agent.config(),
        agent.policy(),
        agent.critic(),
    ));
    sink((agent.baseline(), agent.updates(), agent.pending()));
}
pub fn agent_value<S: Scalar>() {
    let Ok(agent) = agent::<S>() else { return };
    sink(agent.value(slice(&array::<S, D>())));
}
pub fn agent_observe_with_target<S: Scalar>() {
    let Ok(mut agent) = agent::<S>() else { return };
    let Ok(decision) = agent.act(&mut rng(), &array::<S, D>()) else {
        return;
    };
    sink(agent.observe_with_target(&mut rng(), opaque(&decision), value(4), value(5)));
    sink(agent);
}
/// An agent whose policy and critic have a hidden layer: every learning entry point.
pub fn hidden_agent<S: Scalar>() {
    type HiddenAgent<S> = Agent<S, D, A, Hidden<S, D, 8, A>, Hidden<S, D, 8, A>>;
    let Ok(config) = config::<S>() else { return };
    let Ok(mut agent) = HiddenAgent::<S>::new(config) else {
        return;
    };
    let Ok(decision) = agent.act(&mut rng(), slice(&array::<S, D>())) else {
        return;
    };
    sink(agent.value(slice(&array::<S, D>())));
    sink(agent.observe_with_target(&mut rng(), opaque(&decision), value(4), value(5)));
    sink(agent.update());
    sink(agent.policy().greedy(slice(&array::<S, D>())));
    let mut blob = [0u8; HiddenAgent::<fixed>::BLOB_LEN];
    sink(agent.save(slice_mut(&mut blob)));
    sink(agent.load(slice(&opaque(blob))));
    sink(Hidden::<S, D, 8, A>::random(&mut rng()));
    sink(agent);
}
pub fn xor_bandit<S: Scalar>() {
    let mut rng = rng();
    let mut bandit = opaque(XorBandit::new());
    let Ok(config) = XorBandit::config::<S>(opaque(Estimator::StraightThrough)) else {
        return;
    };
    let Ok(mut agent) = XorAgent::<S>::new(config) else {
        return;
    };
    sink(bandit.train_step(&mut agent, &mut rng));
    sink(bandit.mean_reward::<S>(index()));
}
pub fn policy_logits<S: Scalar>() {
    sink(Policy::new(linear::<S>()).logits(slice(&array::<S, D>())));
}
pub fn policy_probabilities<S: Scalar>() {
    sink(Policy::new(linear::<S>()).probabilities(slice(&array::<S, D>())));
}
pub fn policy_greedy<S: Scalar>() {
    sink(Policy::new(linear::<S>()).greedy(slice(&array::<S, D>())));
}
pub fn policy_act<S: Scalar>() {
    let policy = Policy::new(linear::<S>());
    let Ok(decision) = policy.act(&mut rng(), slice(&array::<S, D>())) else {
        return;
    };
    let decision = opaque(&decision);
    sink((
        decision.action(),
        decision.features(),
        decision.logits(),
        decision.noise(),
    ));
}
pub fn critic_action_values<S: Scalar>() {
    sink(Critic::new(linear::<S>()).action_values(slice(&array::<S, D>())));
}
pub fn critic_value<S: Scalar>() {
    let y = array::<S, A>();
    sink(Critic::new(linear::<S>()).value(slice(&array::<S, D>()), slice(&y)));
}
pub fn linear_apply<S: Scalar>() {
    let linear = linear::<S>();
    sink((
        linear.apply(&array()),
        linear.is_finite(),
        linear.weights(),
        linear.bias(),
    ));
}
pub fn clip_norm<S: Scalar>() {
    sink(clip::norm(&linear::<S>()));
}
pub fn clip_clip<S: Scalar>() {
    let mut g = linear::<S>();
    sink(clip::clip(&mut g, value(2)));
    sink(g);
}
pub fn config_validate<S: Scalar>() {
    let Ok(config) = config::<S>() else { return };
    sink(config.validate());
    sink(config.policy_optimiser.validate());
}
pub fn bandit<S: Scalar>() {
    let mut rng = rng();
    let mut bandit = opaque(Bandit::new());
    sink(bandit.next_context::<S, _>(&mut rng));
    sink((bandit.context(), bandit.optimal_action()));
    sink(bandit.mean_reward::<S>(index()));
    sink(bandit.reward::<S, _>(&mut rng, index()));
    let Ok(config) = Bandit::config::<S>(opaque(Estimator::Relax)) else {
        return;
    };
    let Ok(mut agent) = Agent::<S, 4, 4>::new(config) else {
        return;
    };
    sink(bandit.train_step(&mut agent, &mut rng));
    let mut window = opaque(MovingSum::<16>::new());
    window.push(opaque(1));
    sink((window.sum(), window.is_full()));
}
pub fn vectors_outputs<S: Scalar>() {
    let case = opaque(vectors::Case::ALL)
        .get(index())
        .copied()
        .unwrap_or(vectors::Case::RelaxedVjp);
    sink(vectors::outputs::<S>(case).map(|o| o.len()));
}

#[cfg(feature = "f32")]
pub fn cartpole() {
    let mut rng = rng();
    let mut cart = opaque(CartPole::default());
    cart.reset(&mut rng);
    sink((cart.state(), cart.features(), cart.steps(), cart.is_done()));
    sink(cart.step(index()));
    let Ok(config) = CartPole::config(opaque(Estimator::Relax)) else {
        return;
    };
    let Ok(mut agent) = CartPoleAgent::<f32>::new(config) else {
        return;
    };
    let mut decisions = heapless::Vec::new();
    sink(cart.train_episode(&mut agent, &mut rng, &mut decisions));
}
#[cfg(feature = "f32")]
pub fn vectors_check_f32() {
    sink(vectors::check_f32().is_ok());
}
#[cfg(feature = "fixed")]
pub fn vectors_check_fixed() {
    sink(vectors::check_fixed().is_ok());
}

/// Every function of a location-scale family, on opaque arguments.
macro_rules! location_scale {
    ($name:ident, $family:ident) => {
        pub fn $name<S: Scalar>() {
            let Ok(d) = $family::new(value::<S>(2), value(3)) else {
                return;
            };
            let (x, u) = (value::<S>(5), value::<S>(1));
            sink((
                d.log_pdf(x),
                d.pdf(x),
                d.cdf(x),
                d.log_cdf(x),
                d.sf(x),
                d.log_sf(x),
            ));
            sink((d.quantile(u), d.sample(&mut rng()), d.location(), d.scale()));
            sink($family::<S>::standard());
        }
    };
}
location_scale!(distributions_gumbel, Gumbel);
location_scale!(distributions_logistic, Logistic);

pub fn distributions_categorical<S: Scalar>() {
    let logits = array::<S, K>();
    let Ok(d) = Categorical::new(slice(&logits), mask()) else {
        return;
    };
    sink(d.sample(&mut rng()));
}
pub fn distributions_concrete<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    let logits = array::<S, K>();
    let Ok(d) = Concrete::new(opaque(&logits), opaque(Some(&MASK)), t) else {
        return;
    };
    let mut x = d.sample(&mut rng());
    d.sample_into(&mut rng(), &mut x);
    sink((x, d.temperature()));
}
pub fn distributions_binary_concrete<S: Scalar>() {
    let Ok(t) = lambda::<S>() else { return };
    let Ok(d) = BinaryConcrete::new(value::<S>(3), t) else {
        return;
    };
    sink((
        d.sample(&mut rng()),
        d.sample_logit(&mut rng()),
        d.logit(),
        d.temperature(),
    ));
}
