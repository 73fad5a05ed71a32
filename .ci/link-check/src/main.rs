//! One probe per public entry point of `gumbel` (noise, samplers, densities, distribution types,
//! conditional noise, estimators, learner, tasks, pinned vectors, and the scalar kernels), for `f32` and for
//! `Fixed`, on inputs the optimiser cannot see through (`black_box`: slice lengths included), so
//! the linked binary holds exactly the code a firmware calling that entry point would.
//!
//! Each probe is a separate exported symbol, `probe.<scalar>.<entry point>`, so `no-panic` can
//! tell from the call graph which entry points reach a panic and from where, and `no-float` which
//! link a floating-point routine. With the `strict` feature the panic handler references an
//! undefined symbol: the link itself fails if any panic path survives.
#![no_std]
#![no_main]

mod probes;

#[cfg(feature = "strict")]
unsafe extern "C" {
    /// Defined nowhere: referenced only if a panic path survives optimisation.
    safe fn gumbel_link_check_a_panic_path_survived() -> !;
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    #[cfg(feature = "strict")]
    gumbel_link_check_a_panic_path_survived();
    #[cfg(not(feature = "strict"))]
    loop {}
}

/// Defines one exported, never-inlined function per probe and `run_all`, which calls them all.
macro_rules! export {
    ($scalar:ident: $($name:ident),* $(,)?) => {
        pub mod $scalar {
            $(
                #[inline(never)]
                #[unsafe(export_name = concat!("probe.", stringify!($scalar), ".", stringify!($name)))]
                pub extern "C" fn $name() {
                    crate::probes::$name::<crate::probes::$scalar>();
                }
            )*
            pub fn run_all() {
                $( $name(); )*
            }
        }
    };
}

/// Entry points generic over the scalar.
macro_rules! generic_probes {
    ($callback:ident, $scalar:ident) => {
        $callback!($scalar:
            noise_uniform, noise_gumbel, noise_logistic, noise_exponential, noise_fill_gumbel,
            categorical_sample, categorical_sample_masked, categorical_sample_with_noise,
            categorical_sample_with_noise_array, categorical_argmax_perturbed,
            topk_top_k, topk_top_k_vec,
            concrete_sample, concrete_sample_log, concrete_from_noise, concrete_log_from_noise,
            concrete_log_density, concrete_exp_log_density,
            binary_sample_logit, binary_sample, binary_logit_from_noise,
            binary_log_density_logit, binary_log_density, binary_cdf,
            conditional_categorical, conditional_categorical_from_gumbel,
            conditional_categorical_backward, conditional_binary, conditional_binary_from_logistic,
            conditional_binary_derivative,
            reparam_concrete, reparam_binary,
            straight_through_sample, straight_through_one_hot, straight_through_sample_binary,
            straight_through_backward, straight_through_backward_binary,
            score_categorical, score_bernoulli, score_reinforce_categorical,
            score_reinforce_bernoulli, score_baseline,
            gumbel_rao_categorical, gumbel_rao_binary,
            rebar_categorical, rebar_binary, relax_categorical, relax_binary,
            control_variate_adaptive_eta, schedule, temperature_new,
            scalar_arithmetic, scalar_exp, scalar_ln, scalar_ln_1p, scalar_sqrt,
            scalar_exp_sum, scalar_from_word,
            agent_new, agent_with_networks, agent_act, agent_observe, agent_update, agent_learn,
            agent_save, agent_load, agent_accessors, agent_value, agent_observe_with_target,
            hidden_agent, xor_bandit,
            policy_logits, policy_probabilities, policy_greedy, policy_act,
            critic_action_values, critic_value, linear_apply, clip_norm, clip_clip,
            config_validate, bandit, vectors_outputs,
            distributions_gumbel, distributions_logistic, distributions_categorical,
            distributions_concrete, distributions_binary_concrete,
        );
    };
}

#[cfg(feature = "f32")]
generic_probes!(export, f32);
#[cfg(feature = "fixed")]
generic_probes!(export, fixed);

/// Entry points of one scalar only: CartPole's physics and the `f32` vectors are `f32`; the
/// `f64` conversions are host-side set-up (fixed-point firmware never calls them, so they are
/// not in the `no-float` build).
#[cfg(feature = "f32")]
pub mod f32_only {
    #[inline(never)]
    #[unsafe(export_name = "probe.f32.cartpole")]
    pub extern "C" fn cartpole() {
        crate::probes::cartpole();
    }

    #[inline(never)]
    #[unsafe(export_name = "probe.f32.scalar_f64_conversions")]
    pub extern "C" fn scalar_f64_conversions() {
        crate::probes::scalar_f64_conversions::<f32>();
        crate::probes::scalar_f64_conversions::<gumbel::Fixed>();
    }

    #[inline(never)]
    #[unsafe(export_name = "probe.f32.vectors_check")]
    pub extern "C" fn vectors_check() {
        crate::probes::vectors_check_f32();
    }

    pub fn run_all() {
        cartpole();
        scalar_f64_conversions();
        vectors_check();
    }
}

#[cfg(feature = "fixed")]
pub mod fixed_only {
    #[inline(never)]
    #[unsafe(export_name = "probe.fixed.vectors_check")]
    pub extern "C" fn vectors_check() {
        crate::probes::vectors_check_fixed();
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    #[cfg(feature = "f32")]
    {
        f32::run_all();
        f32_only::run_all();
    }
    #[cfg(feature = "fixed")]
    {
        fixed::run_all();
        fixed_only::vectors_check();
    }
    loop {}
}
