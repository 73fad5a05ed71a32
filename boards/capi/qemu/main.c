/* The C interface on a chip: a C program that links libgumbel_capi.a and, under QEMU on the
 * Cortex-M4F (mps2-an386) and the Cortex-M0 (microbit),
 *   1. replays every pinned test vector of the Rust crate (vectors.h, written from its tables)
 *      through the C functions, in float and in Q16.16, and compares them bit for bit;
 *   2. checks that bad calls (NULL, misaligned, overlapping, NaN, all masked, a foreign agent,
 *      a corrupted save) return their error codes and change nothing;
 *   3. trains an agent on a contextual bandit written here in C, with every estimator in the
 *      core's natural scalar (float with an FPU, Q16.16 without), and times one agent step;
 *   4. saves the trained agent and loads it into a fresh one;
 *   5. times one Gumbel-max call as the Rust cost report does.
 * It exits through semihosting with status 0 only if everything passed (check.sh builds and runs
 * it). Freestanding: no C library; startup.c holds the vector table and semihosting. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gumbel.h"
#include "vectors.h"

void semihosting_write(const char *text);

#ifndef SYSTICK_HZ
#error "SYSTICK_HZ (the core clock SysTick counts) must be defined"
#endif

/* ------------------------------------------------------------------------------------------ */
/* Output: a tiny printf (%s, %d, %u, %x) through semihosting.                                */

static void say(const char *format, ...)
{
    char line[200];
    size_t n = 0;
    va_list args;
    va_start(args, format);
    for (const char *p = format; *p != '\0' && n + 12 < sizeof line; p++) {
        if (*p != '%') {
            line[n++] = *p;
            continue;
        }
        p++;
        if (*p == 's') {
            for (const char *s = va_arg(args, const char *); *s != '\0' && n + 12 < sizeof line;) {
                line[n++] = *s++;
            }
        } else if (*p == 'x') {
            uint32_t v = va_arg(args, uint32_t);
            for (int shift = 28; shift >= 0; shift -= 4) {
                line[n++] = "0123456789abcdef"[(v >> shift) & 0xFu];
            }
        } else if (*p == 'd' || *p == 'u') {
            uint32_t v;
            if (*p == 'd') {
                int32_t d = va_arg(args, int32_t);
                if (d < 0) {
                    line[n++] = '-';
                }
                v = d < 0 ? 0u - (uint32_t)d : (uint32_t)d;
            } else {
                v = va_arg(args, uint32_t);
            }
            char digits[10];
            int count = 0;
            do {
                digits[count++] = (char)('0' + v % 10u);
                v /= 10u;
            } while (v != 0u);
            while (count > 0) {
                line[n++] = digits[--count];
            }
        } else {
            line[n++] = *p;
        }
    }
    va_end(args);
    line[n++] = '\n';
    line[n] = '\0';
    semihosting_write(line);
}

/* ------------------------------------------------------------------------------------------ */
/* 1. The pinned vectors. Each case redoes what src/vectors.rs does, through the C functions,  */
/* and records the raw bits of every output.                                                  */

typedef union {
    float f;
    int32_t q;
    uint32_t bits;
} scalar;

typedef union {
    float f[VECTORS_K];
    int32_t q[VECTORS_K];
    uint32_t bits[VECTORS_K];
} vector;

struct record {
    uint32_t values[VECTORS_MAX_OUTPUTS];
    size_t len;
};

static void push(struct record *r, uint32_t bits)
{
    if (r->len < VECTORS_MAX_OUTPUTS) {
        r->values[r->len] = bits;
    }
    r->len++;
}

#define TRY(call)                                                                              \
    do {                                                                                       \
        gumbel_status status_ = (call);                                                        \
        if (status_ != GUMBEL_OK) {                                                            \
            return status_;                                                                    \
        }                                                                                      \
    } while (0)

static gumbel_status replay(enum vectors_case which, bool fixed, struct record *r)
{
    vector logits, upstream;
    for (int k = 0; k < VECTORS_K; k++) {
        logits.bits[k] = fixed ? VECTORS_FIXED_LOGITS[k] : VECTORS_F32_LOGITS[k];
        upstream.bits[k] = fixed ? VECTORS_FIXED_UPSTREAM[k] : VECTORS_F32_UPSTREAM[k];
    }
    const scalar one = {.bits = fixed ? VECTORS_FIXED_ONE : VECTORS_F32_ONE};
    const scalar half = {.bits = fixed ? VECTORS_FIXED_HALF : VECTORS_F32_HALF};
    const scalar quarter = {.bits = fixed ? VECTORS_FIXED_QUARTER : VECTORS_F32_QUARTER};
    const scalar two_thirds = {.bits = fixed ? VECTORS_FIXED_TWO_THIRDS : VECTORS_F32_TWO_THIRDS};
    const size_t k = VECTORS_K;
    const bool *const mask = VECTORS_ALLOWED;
    gumbel_rng rng;
    TRY(gumbel_rng_seed(&rng, VECTORS_SEED + (uint64_t)which));
    r->len = 0;

    switch (which) {
    case VECTORS_CASE_UNIFORM:
    case VECTORS_CASE_GUMBEL:
    case VECTORS_CASE_LOGISTIC:
    case VECTORS_CASE_EXPONENTIAL: {
        union {
            float f[8];
            int32_t q[8];
            uint32_t bits[8];
        } v;
        if (which == VECTORS_CASE_UNIFORM) {
            TRY(fixed ? gumbel_noise_uniform_fixed(&rng, v.q, 8)
                      : gumbel_noise_uniform_f32(&rng, v.f, 8));
        } else if (which == VECTORS_CASE_GUMBEL) {
            TRY(fixed ? gumbel_noise_gumbel_fixed(&rng, v.q, 8)
                      : gumbel_noise_gumbel_f32(&rng, v.f, 8));
        } else if (which == VECTORS_CASE_LOGISTIC) {
            TRY(fixed ? gumbel_noise_logistic_fixed(&rng, v.q, 8)
                      : gumbel_noise_logistic_f32(&rng, v.f, 8));
        } else {
            TRY(fixed ? gumbel_noise_exponential_fixed(&rng, v.q, 8)
                      : gumbel_noise_exponential_f32(&rng, v.f, 8));
        }
        for (int i = 0; i < 8; i++) {
            push(r, v.bits[i]);
        }
        break;
    }
    case VECTORS_CASE_CATEGORICAL:
    case VECTORS_CASE_CATEGORICAL_MASKED: {
        const bool *allowed = which == VECTORS_CASE_CATEGORICAL ? NULL : mask;
        for (int i = 0; i < 16; i++) {
            size_t action;
            TRY(fixed ? gumbel_categorical_sample_fixed(&rng, logits.q, k, allowed, &action)
                      : gumbel_categorical_sample_f32(&rng, logits.f, k, allowed, &action));
            push(r, (uint32_t)action);
        }
        break;
    }
    case VECTORS_CASE_CATEGORICAL_NON_FINITE: {
        /* Actions 1 and 3 at LN_ZERO (-inf in f32), then 2 and 4 at -LN_ZERO (+inf), then 0
           and 3 at MAX (an f32 sum that overflows): the sampler's exact path. */
        vector masked = logits, infinite = logits, huge = logits;
        masked.bits[1] = masked.bits[3] = fixed ? VECTORS_FIXED_LN_ZERO : VECTORS_F32_LN_ZERO;
        infinite.bits[2] = infinite.bits[4] =
            fixed ? VECTORS_FIXED_NEG_LN_ZERO : VECTORS_F32_NEG_LN_ZERO;
        huge.bits[0] = huge.bits[3] = fixed ? VECTORS_FIXED_MAX : VECTORS_F32_MAX;
        for (int i = 0; i < 16; i++) {
            const vector *v = i < 8 ? &masked : i < 12 ? &infinite : &huge;
            size_t action;
            TRY(fixed ? gumbel_categorical_sample_fixed(&rng, v->q, k, NULL, &action)
                      : gumbel_categorical_sample_f32(&rng, v->f, k, NULL, &action));
            push(r, (uint32_t)action);
        }
        break;
    }
    case VECTORS_CASE_TOP_K:
        for (int i = 0; i < 4; i++) {
            size_t indices[3];
            union {
                float f[3];
                int32_t q[3];
                uint32_t bits[3];
            } keys;
            TRY(fixed ? gumbel_top_k_fixed(&rng, logits.q, k, NULL, indices, keys.q, 3)
                      : gumbel_top_k_f32(&rng, logits.f, k, NULL, indices, keys.f, 3));
            for (int j = 0; j < 3; j++) {
                push(r, (uint32_t)indices[j]);
            }
            for (int j = 0; j < 3; j++) {
                push(r, keys.bits[j]);
            }
        }
        break;
    case VECTORS_CASE_CONCRETE:
    case VECTORS_CASE_EXP_CONCRETE: {
        scalar density[2];
        for (int i = 0; i < 2; i++) {
            vector x;
            if (which == VECTORS_CASE_CONCRETE) {
                TRY(fixed ? gumbel_concrete_sample_fixed(&rng, logits.q, k, NULL, half.q, x.q)
                          : gumbel_concrete_sample_f32(&rng, logits.f, k, NULL, half.f, x.f));
                TRY(fixed ? gumbel_concrete_log_density_fixed(logits.q, k, NULL, half.q, x.q,
                                                              &density[i].q)
                          : gumbel_concrete_log_density_f32(logits.f, k, NULL, half.f, x.f,
                                                            &density[i].f));
            } else {
                TRY(fixed ? gumbel_concrete_sample_log_fixed(&rng, logits.q, k, mask, half.q, x.q)
                          : gumbel_concrete_sample_log_f32(&rng, logits.f, k, mask, half.f, x.f));
                TRY(fixed ? gumbel_concrete_exp_log_density_fixed(logits.q, k, mask, half.q, x.q,
                                                                  &density[i].q)
                          : gumbel_concrete_exp_log_density_f32(logits.f, k, mask, half.f, x.f,
                                                                &density[i].f));
            }
            for (int j = 0; j < VECTORS_K; j++) {
                push(r, x.bits[j]);
            }
        }
        push(r, density[0].bits);
        push(r, density[1].bits);
        break;
    }
    case VECTORS_CASE_BINARY_CONCRETE: {
        scalar density[8];
        for (int i = 0; i < 8; i++) {
            scalar y;
            TRY(fixed ? gumbel_binary_sample_logit_fixed(&rng, quarter.q, two_thirds.q, &y.q)
                      : gumbel_binary_sample_logit_f32(&rng, quarter.f, two_thirds.f, &y.f));
            push(r, y.bits);
            TRY(fixed ? gumbel_binary_log_density_logit_fixed(quarter.q, two_thirds.q, y.q,
                                                              &density[i].q)
                      : gumbel_binary_log_density_logit_f32(quarter.f, two_thirds.f, y.f,
                                                            &density[i].f));
        }
        for (int i = 0; i < 8; i++) {
            push(r, density[i].bits);
        }
        break;
    }
    case VECTORS_CASE_STRAIGHT_THROUGH:
        for (int i = 0; i < 3; i++) {
            vector soft;
            size_t hard;
            TRY(fixed ? gumbel_straight_through_sample_fixed(&rng, logits.q, k, NULL, half.q,
                                                             soft.q, &hard)
                      : gumbel_straight_through_sample_f32(&rng, logits.f, k, NULL, half.f,
                                                           soft.f, &hard));
            push(r, (uint32_t)hard);
            for (int j = 0; j < VECTORS_K; j++) {
                push(r, soft.bits[j]);
            }
        }
        break;
    case VECTORS_CASE_RELAXED_VJP:
        for (int i = 0; i < 2; i++) {
            vector noise, gradient = upstream;
            scalar d_lambda;
            size_t action;
            TRY(fixed ? gumbel_categorical_sample_with_noise_fixed(&rng, logits.q, k, NULL,
                                                                   noise.q, &action)
                      : gumbel_categorical_sample_with_noise_f32(&rng, logits.f, k, NULL,
                                                                 noise.f, &action));
            TRY(fixed ? gumbel_reparam_concrete_fixed(logits.q, k, NULL, noise.q, half.q,
                                                      gradient.q, &d_lambda.q)
                      : gumbel_reparam_concrete_f32(logits.f, k, NULL, noise.f, half.f,
                                                    gradient.f, &d_lambda.f));
            for (int j = 0; j < VECTORS_K; j++) {
                push(r, gradient.bits[j]);
            }
            push(r, d_lambda.bits);
        }
        for (int i = 0; i < 4; i++) {
            scalar noise, d_logit, d_lambda;
            TRY(fixed ? gumbel_noise_logistic_fixed(&rng, &noise.q, 1)
                      : gumbel_noise_logistic_f32(&rng, &noise.f, 1));
            TRY(fixed ? gumbel_reparam_binary_fixed(quarter.q, noise.q, two_thirds.q, one.q,
                                                    &d_logit.q, &d_lambda.q)
                      : gumbel_reparam_binary_f32(quarter.f, noise.f, two_thirds.f, one.f,
                                                  &d_logit.f, &d_lambda.f));
            push(r, d_logit.bits);
            push(r, d_lambda.bits);
        }
        break;
    }
    return GUMBEL_OK;
}

/* Replays every case in one scalar; returns whether all matched the pinned table. */
static bool check_vectors(bool fixed)
{
    const struct vectors_table *tables = fixed ? VECTORS_FIXED : VECTORS_F32;
    const char *name = fixed ? "fixed" : "f32";
    uint32_t compared = 0;
    for (int c = 0; c < VECTORS_CASES; c++) {
        struct record r;
        gumbel_status status = replay((enum vectors_case)c, fixed, &r);
        if (status != GUMBEL_OK) {
            say("vectors %s %s: error %d (%s)", name, VECTORS_CASE_NAMES[c], (int32_t)status,
                gumbel_status_message(status));
            return false;
        }
        const struct vectors_table *t = &tables[c];
        if (r.len != t->len) {
            say("vectors %s %s: %u values, pinned %u", name, VECTORS_CASE_NAMES[c],
                (uint32_t)r.len, (uint32_t)t->len);
            return false;
        }
        for (size_t i = 0; i < r.len; i++) {
            if (r.values[i] != t->values[i]) {
                say("vectors %s %s: value %u is %x, pinned %x", name, VECTORS_CASE_NAMES[c],
                    (uint32_t)i, r.values[i], t->values[i]);
                return false;
            }
        }
        compared += (uint32_t)r.len;
    }
    say("vectors %s: %u values of %u cases match the pinned tables bit for bit", name, compared,
        (uint32_t)VECTORS_CASES);
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* 2. Bad calls: each returns its code, and the generator does not advance.                   */

static uint32_t failures;

static void expect(const char *what, gumbel_status got, gumbel_status want)
{
    if (got != want) {
        say("error path %s: got %d (%s), expected %d", what, (int32_t)got,
            gumbel_status_message(got), (int32_t)want);
        failures++;
    }
}

static bool same_rng(const gumbel_rng *a, const gumbel_rng *b)
{
    for (int i = 0; i < 4; i++) {
        if (a->s[i] != b->s[i]) {
            return false;
        }
    }
    return true;
}

static _Alignas(GUMBEL_AGENT_ALIGN) uint8_t agent_memory[GUMBEL_AGENT_4X4_SIZE];
static _Alignas(GUMBEL_AGENT_ALIGN) uint8_t other_memory[GUMBEL_AGENT_4X4_SIZE];
static _Alignas(GUMBEL_AGENT_ALIGN) uint8_t decision_memory[GUMBEL_DECISION_4X4_SIZE];
static _Alignas(GUMBEL_AGENT_ALIGN) uint8_t small_decision[GUMBEL_DECISION_2X2_SIZE];
static uint8_t blob[GUMBEL_AGENT_4X4_BLOB_SIZE];
static uint8_t blob_again[GUMBEL_AGENT_4X4_BLOB_SIZE];

/* The bandit benchmark's hyperparameters (gumbel::tasks::Bandit::config): λ = 1/2, policy SGD
 * at 1/100 with momentum 9/10, critic plain SGD at 1/20, gradients clipped to norm 5,
 * baseline decay 19/20. */
static gumbel_agent_config_f32 config_f32(uint32_t estimator)
{
    gumbel_agent_config_f32 c = {
        .estimator = estimator,
        .gumbel_rao_samples = 10,
        .temperature = 0.5f,
        .policy_optimiser = {.kind = GUMBEL_OPTIMISER_SGD, .learning_rate = 0.01f, .momentum = 0.9f},
        .critic_optimiser = {.kind = GUMBEL_OPTIMISER_SGD, .learning_rate = 0.05f},
        .max_gradient_norm = 5.0f,
        .baseline_decay = 0.95f,
    };
    return c;
}

/* The same in Q16.16 (value times 65536, rounded). */
static gumbel_agent_config_fixed config_fixed(uint32_t estimator)
{
    gumbel_agent_config_fixed c = {
        .estimator = estimator,
        .gumbel_rao_samples = 10,
        .temperature = 32768,
        .policy_optimiser = {.kind = GUMBEL_OPTIMISER_SGD, .learning_rate = 655, .momentum = 58982},
        .critic_optimiser = {.kind = GUMBEL_OPTIMISER_SGD, .learning_rate = 3277},
        .max_gradient_norm = 5 * 65536,
        .baseline_decay = 62259,
    };
    return c;
}

static void check_error_paths(void)
{
    gumbel_rng rng, before;
    gumbel_rng_seed(&rng, 1);
    before = rng;
    float logits[4] = {0.5f, 1.5f, -1.0f, 0.0f};
    float out[4];
    int32_t fixed_logits[4] = {0, 65536, -65536, 32768};
    size_t action;
    const float nan = __builtin_nanf("");
    const float masked[2] = {-__builtin_inff(), -__builtin_inff()};
    const bool none_allowed[4] = {false, false, false, false};
    union {
        bool b[4];
        uint8_t bytes[4];
    } bad_mask = {.bytes = {1, 2, 1, 1}};
    union {
        float f[5];
        uint8_t bytes[20];
    } unaligned;

    expect("null generator", gumbel_categorical_sample_f32(NULL, logits, 4, NULL, &action),
           GUMBEL_ERR_NULL_POINTER);
    expect("null logits", gumbel_categorical_sample_f32(&rng, NULL, 4, NULL, &action),
           GUMBEL_ERR_NULL_POINTER);
    expect("null output", gumbel_categorical_sample_f32(&rng, logits, 4, NULL, NULL),
           GUMBEL_ERR_NULL_POINTER);
    expect("no logits", gumbel_categorical_sample_f32(&rng, NULL, 0, NULL, &action),
           GUMBEL_ERR_EMPTY);
    expect("misaligned logits",
           gumbel_categorical_sample_f32(&rng, (const float *)(unaligned.bytes + 1), 4, NULL,
                                         &action),
           GUMBEL_ERR_MISALIGNED);
    expect("output overlaps the logits",
           gumbel_concrete_sample_f32(&rng, logits, 4, NULL, 0.5f, logits + 1),
           GUMBEL_ERR_OVERLAP);
    expect("generator overlaps the output",
           gumbel_concrete_sample_f32((gumbel_rng *)(void *)out, logits, 4, NULL, 0.5f, out),
           GUMBEL_ERR_OVERLAP);
    logits[2] = nan;
    expect("NaN logit", gumbel_categorical_sample_f32(&rng, logits, 4, NULL, &action),
           GUMBEL_ERR_NAN);
    logits[2] = -1.0f;
    expect("all masked by -inf", gumbel_categorical_sample_f32(&rng, masked, 2, NULL, &action),
           GUMBEL_ERR_ALL_MASKED);
    expect("all masked by the mask",
           gumbel_categorical_sample_fixed(&rng, fixed_logits, 4, none_allowed, &action),
           GUMBEL_ERR_ALL_MASKED);
    expect("mask byte 2", gumbel_categorical_sample_f32(&rng, logits, 4, bad_mask.b, &action),
           GUMBEL_ERR_INVALID_MASK);
    expect("temperature 0", gumbel_concrete_sample_f32(&rng, logits, 4, NULL, 0.0f, out),
           GUMBEL_ERR_INVALID_TEMPERATURE);
    expect("fixed temperature below 2^-10",
           gumbel_binary_sample_fixed(&rng, 0, 63, &fixed_logits[0]),
           GUMBEL_ERR_INVALID_TEMPERATURE);
    size_t indices[5];
    float keys[5];
    expect("top-5 of 4", gumbel_top_k_f32(&rng, logits, 4, NULL, indices, keys, 5),
           GUMBEL_ERR_TOO_FEW_ACTIONS);
    out[0] = 0.5f, out[1] = 0.5f, out[2] = 0.0f, out[3] = 0.5f;
    float density;
    expect("density off the simplex",
           gumbel_concrete_log_density_f32(logits, 4, NULL, 0.5f, out, &density),
           GUMBEL_ERR_OUTSIDE_SUPPORT);
    if (!same_rng(&rng, &before)) {
        say("error path: a failed call advanced the generator");
        failures++;
    }

    gumbel_agent *agent, *other;
    gumbel_agent_config_f32 config = config_f32(GUMBEL_ESTIMATOR_REINFORCE);
    expect("agent memory too small",
           gumbel_agent_create_f32_4x4(agent_memory, GUMBEL_AGENT_4X4_SIZE - 100, &config, &agent),
           GUMBEL_ERR_BUFFER_TOO_SMALL);
    expect("misaligned agent memory",
           gumbel_agent_create_f32_4x4(agent_memory + 4, GUMBEL_AGENT_4X4_SIZE - 4, &config,
                                       &agent),
           GUMBEL_ERR_MISALIGNED);
    config.baseline_decay = 1.0f;
    expect("baseline decay 1",
           gumbel_agent_create_f32_4x4(agent_memory, sizeof agent_memory, &config, &agent),
           GUMBEL_ERR_INVALID_PARAMETER);
    config = config_f32(7);
    expect("unknown estimator",
           gumbel_agent_create_f32_4x4(agent_memory, sizeof agent_memory, &config, &agent),
           GUMBEL_ERR_INVALID_PARAMETER);
    for (size_t i = 0; i < sizeof other_memory; i++) {
        other_memory[i] = 0;
    }
    expect("memory that holds no agent", gumbel_agent_update((gumbel_agent *)(void *)other_memory),
           GUMBEL_ERR_NOT_INITIALISED);
    config = config_f32(GUMBEL_ESTIMATOR_REINFORCE);
    expect("create", gumbel_agent_create_f32_4x4(agent_memory, sizeof agent_memory, &config, &agent),
           GUMBEL_OK);
    float features[4] = {1.0f, 0.0f, 0.0f, 0.0f};
    int32_t fixed_features[4] = {65536, 0, 0, 0};
    expect("fixed call on a float agent",
           gumbel_agent_act_fixed(agent, &rng, fixed_features, 4, decision_memory,
                                  sizeof decision_memory, &action),
           GUMBEL_ERR_WRONG_KIND);
    expect("3 features for a 4-feature agent",
           gumbel_agent_act_f32(agent, &rng, features, 3, decision_memory, sizeof decision_memory,
                                &action),
           GUMBEL_ERR_LENGTH_MISMATCH);
    expect("decision memory too small",
           gumbel_agent_act_f32(agent, &rng, features, 4, small_decision, sizeof small_decision,
                                &action),
           GUMBEL_ERR_BUFFER_TOO_SMALL);
    expect("decision memory inside the agent",
           gumbel_agent_act_f32(agent, &rng, features, 4, agent_memory + 64,
                                GUMBEL_DECISION_4X4_SIZE, &action),
           GUMBEL_ERR_OVERLAP);
    features[1] = __builtin_inff();
    expect("infinite feature",
           gumbel_agent_act_f32(agent, &rng, features, 4, decision_memory, sizeof decision_memory,
                                &action),
           GUMBEL_ERR_NOT_FINITE);
    features[1] = 0.0f;
    expect("act", gumbel_agent_act_f32(agent, &rng, features, 4, decision_memory,
                                       sizeof decision_memory, &action),
           GUMBEL_OK);
    expect("NaN reward",
           gumbel_agent_observe_f32(agent, &rng, decision_memory, sizeof decision_memory, nan),
           GUMBEL_ERR_NAN);
    gumbel_agent_config_fixed fixed_config = config_fixed(GUMBEL_ESTIMATOR_REINFORCE);
    expect("create a fixed agent",
           gumbel_agent_create_fixed_4x4(other_memory, sizeof other_memory, &fixed_config, &other),
           GUMBEL_OK);
    expect("a float decision to a fixed agent",
           gumbel_agent_observe_fixed(other, &rng, decision_memory, sizeof decision_memory, 65536),
           GUMBEL_ERR_WRONG_KIND);
    expect("save into too small a buffer", gumbel_agent_save(agent, blob, sizeof blob - 1, NULL),
           GUMBEL_ERR_BUFFER_TOO_SMALL);
    size_t written;
    expect("save", gumbel_agent_save(agent, blob, sizeof blob, &written), GUMBEL_OK);
    expect("load a float agent's save into a fixed agent",
           gumbel_agent_load(other, blob, written), GUMBEL_ERR_CORRUPTED_STATE);
    blob[100] ^= 1u;
    expect("load a corrupted save", gumbel_agent_load(agent, blob, written),
           GUMBEL_ERR_CORRUPTED_STATE);
    say("error paths: %u failures", failures);
}

/* ------------------------------------------------------------------------------------------ */
/* 3. A contextual bandit, written here: 4 contexts, 4 features, 4 actions (the Rust crate's   */
/* gumbel::tasks::Bandit, in integers). Each step a context c is drawn; the agent sees e_c plus */
/* jitter in (-1/4, 1/4) on every feature, picks an action and receives the context's mean    */
/* reward for it (0, 0.2, 0.6 or 1: the best is 0.4 ahead) plus noise in (-1, 1). Every value */
/* is a Q16.16 integer, exactly a float too, so both scalars see the same task.               */

#define STEPS 20000
#define WINDOW 1000
#define SUCCESS 950

static const int32_t MEAN_REWARD_Q16[4][4] = {
    {13107, 65536, 39322, 0},
    {39322, 0, 13107, 65536},
    {65536, 13107, 0, 39322},
    {0, 39322, 65536, 13107},
};
static const size_t OPTIMAL[4] = {1, 3, 0, 2};

struct bandit {
    gumbel_rng rng;
    uint32_t context;
};

static uint32_t word(struct bandit *b)
{
    uint32_t w = 0;
    gumbel_rng_next_u32(&b->rng, &w);
    return w;
}

/* Draws the next context; its features in Q16.16. */
static void next_context(struct bandit *b, int32_t features[4])
{
    b->context = word(b) >> 30;
    for (uint32_t d = 0; d < 4; d++) {
        int32_t jitter = (int32_t)(word(b) >> 17) - 16384;
        features[d] = (d == b->context ? 65536 : 0) + jitter;
    }
}

/* A noisy reward for `action` in Q16.16. */
static int32_t reward(struct bandit *b, size_t action)
{
    int32_t noise = (int32_t)(word(b) >> 15) - 65536;
    return MEAN_REWARD_Q16[b->context][action & 3u] + noise;
}

/* One agent step: context, act, reward, observe, update. */
static gumbel_status step(gumbel_agent *agent, bool fixed, struct bandit *b, gumbel_rng *rng,
                          bool *optimal)
{
    int32_t q[4];
    next_context(b, q);
    size_t action;
    if (fixed) {
        TRY(gumbel_agent_act_fixed(agent, rng, q, 4, decision_memory, sizeof decision_memory,
                                   &action));
        TRY(gumbel_agent_observe_fixed(agent, rng, decision_memory, sizeof decision_memory,
                                       reward(b, action)));
    } else {
        float features[4];
        for (int d = 0; d < 4; d++) {
            features[d] = (float)q[d] / 65536.0f;
        }
        TRY(gumbel_agent_act_f32(agent, rng, features, 4, decision_memory, sizeof decision_memory,
                                 &action));
        TRY(gumbel_agent_observe_f32(agent, rng, decision_memory, sizeof decision_memory,
                                     (float)reward(b, action) / 65536.0f));
    }
    TRY(gumbel_agent_update(agent));
    *optimal = action == OPTIMAL[b->context];
    return GUMBEL_OK;
}

static gumbel_status create(bool fixed, uint32_t estimator, void *memory, gumbel_agent **agent)
{
    if (fixed) {
        gumbel_agent_config_fixed c = config_fixed(estimator);
        return gumbel_agent_create_fixed_4x4(memory, GUMBEL_AGENT_4X4_SIZE, &c, agent);
    }
    gumbel_agent_config_f32 c = config_f32(estimator);
    return gumbel_agent_create_f32_4x4(memory, GUMBEL_AGENT_4X4_SIZE, &c, agent);
}

/* SysTick counts core clock cycles, which QEMU's -icount shift=0 makes one per instruction. */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static uint32_t ticks_since(uint32_t start)
{
    return (start - SYST_CVR) & 0x00FFFFFFu;
}

static uint32_t instructions(uint32_t ticks, uint32_t calls)
{
    return (uint32_t)((uint64_t)ticks * 1000000000u / SYSTICK_HZ / calls);
}

static const char *const ESTIMATOR_NAMES[4] = {
    "REINFORCE+baseline", "straight-through", "Gumbel-Rao (M = 10)", "RELAX"};

/* Trains a fresh agent for STEPS steps; the first 100 are timed. Returns whether it met the
 * criterion: at least SUCCESS optimal actions in the last WINDOW steps. */
static bool train(bool fixed, uint32_t estimator, gumbel_agent **trained)
{
    const char *name = fixed ? "fixed" : "f32";
    gumbel_agent *agent;
    gumbel_status status = create(fixed, estimator, agent_memory, &agent);
    struct bandit b = {.context = 0};
    gumbel_rng rng;
    gumbel_rng_seed(&b.rng, 2017);
    gumbel_rng_seed(&rng, 2018);
    uint32_t optimal = 0, step_ticks = 0;
    for (uint32_t t = 0; t < STEPS && status == GUMBEL_OK; t++) {
        uint32_t start = SYST_CVR;
        bool hit = false;
        status = step(agent, fixed, &b, &rng, &hit);
        if (t < 100) {
            step_ticks += ticks_since(start);
        }
        if (t >= STEPS - WINDOW && hit) {
            optimal++;
        }
    }
    if (status != GUMBEL_OK) {
        say("learner %s %s: error %d (%s)", name, ESTIMATOR_NAMES[estimator], (int32_t)status,
            gumbel_status_message(status));
        return false;
    }
    /* The task alone, to tell the agent's share apart. */
    uint32_t start = SYST_CVR;
    for (int t = 0; t < 100; t++) {
        int32_t q[4];
        next_context(&b, q);
        (void)reward(&b, OPTIMAL[b.context]);
    }
    uint32_t task_ticks = ticks_since(start);
    bool met = optimal >= SUCCESS;
    say("learner %s %s: %u of the last %u of %u steps optimal (%s); %u instructions per step, "
        "%u of them the C task",
        name, ESTIMATOR_NAMES[estimator], optimal, (uint32_t)WINDOW, (uint32_t)STEPS,
        met ? "criterion met" : "FAILED: needs 950", instructions(step_ticks, 100),
        instructions(task_ticks, 100));
    *trained = agent;
    return met;
}

/* ------------------------------------------------------------------------------------------ */
/* 4. Save the trained agent, load it into a fresh one: same saved bytes, same next action.    */

static bool save_and_load(gumbel_agent *trained, bool fixed)
{
    gumbel_agent *fresh = NULL;
    size_t written = 0, again = 0;
    gumbel_status status = gumbel_agent_save(trained, blob, sizeof blob, &written);
    if (status == GUMBEL_OK) {
        status = create(fixed, GUMBEL_ESTIMATOR_REINFORCE, other_memory, &fresh);
    }
    if (status == GUMBEL_OK) {
        status = gumbel_agent_load(fresh, blob, written);
    }
    if (status == GUMBEL_OK) {
        status = gumbel_agent_save(fresh, blob_again, sizeof blob_again, &again);
    }
    bool same = status == GUMBEL_OK && written == GUMBEL_AGENT_4X4_BLOB_SIZE && again == written;
    for (size_t i = 0; same && i < written; i++) {
        same = blob[i] == blob_again[i];
    }
    /* The same generator state must give the same action from both. */
    gumbel_rng r1, r2;
    gumbel_rng_seed(&r1, 99);
    r2 = r1;
    int32_t q[4] = {0, 65536, 0, 0};
    float f[4] = {0.0f, 1.0f, 0.0f, 0.0f};
    size_t a1 = 0, a2 = 1;
    static _Alignas(GUMBEL_AGENT_ALIGN) uint8_t decision_again[GUMBEL_DECISION_4X4_SIZE];
    if (!same) {
        /* Nothing to compare. */
    } else if (fixed) {
        gumbel_agent_act_fixed(trained, &r1, q, 4, decision_memory, sizeof decision_memory, &a1);
        gumbel_agent_act_fixed(fresh, &r2, q, 4, decision_again, sizeof decision_again, &a2);
    } else {
        gumbel_agent_act_f32(trained, &r1, f, 4, decision_memory, sizeof decision_memory, &a1);
        gumbel_agent_act_f32(fresh, &r2, f, 4, decision_again, sizeof decision_again, &a2);
    }
    same = same && a1 == a2;
    say("persistence %s: saved %u bytes, loaded into a fresh agent: %s", fixed ? "fixed" : "f32",
        (uint32_t)written, same ? "same state, same action" : "FAILED");
    return same;
}

/* ------------------------------------------------------------------------------------------ */
/* 5. The cost of one call, as the Rust cost report measures it (boards/cost-report.sh): 100   */
/* Gumbel-max draws over its 16 logits (((i * 7) mod 17 - 8) / 4), the loop's own cost taken  */
/* off; the difference to the report's figure is what the C interface adds.                   */

static uint32_t categorical_cost(bool fixed)
{
    float logits_f[16];
    int32_t logits_q[16];
    for (int i = 0; i < 16; i++) {
        int32_t quarters = (i * 7) % 17 - 8;
        logits_f[i] = (float)quarters * 0.25f;
        logits_q[i] = quarters * 16384;
    }
    gumbel_rng rng;
    gumbel_rng_seed(&rng, 1);
    size_t action;
    uint32_t start = SYST_CVR;
    for (int i = 0; i < 100; i++) {
        if (fixed) {
            gumbel_categorical_sample_fixed(&rng, logits_q, 16, NULL, &action);
        } else {
            gumbel_categorical_sample_f32(&rng, logits_f, 16, NULL, &action);
        }
    }
    uint32_t calls = ticks_since(start);
    start = SYST_CVR;
    for (int i = 0; i < 100; i++) {
        __asm__ volatile("" ::: "memory");
    }
    uint32_t loop = ticks_since(start);
    return instructions(calls - loop, 100);
}

int main(void)
{
    SYST_RVR = 0x00FFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 5u; /* enabled, core clock, no interrupt */
    say("gumbel C interface on %s", BOARD);

    bool passed = check_vectors(false);
    passed &= check_vectors(true);
    check_error_paths();
    passed &= failures == 0;

    /* The natural scalar of the core learns with every estimator: float with an FPU, Q16.16
     * without (as the Rust firmware does); with an FPU the Q16.16 agent learns once too. */
#if defined(__ARM_FP)
    const bool natural_fixed = false;
#else
    const bool natural_fixed = true;
#endif
    gumbel_agent *trained = NULL;
    for (uint32_t e = GUMBEL_ESTIMATOR_REINFORCE; e <= GUMBEL_ESTIMATOR_RELAX; e++) {
        passed &= train(natural_fixed, e, &trained);
    }
    passed &= trained != NULL && save_and_load(trained, natural_fixed);
#if defined(__ARM_FP)
    passed &= train(true, GUMBEL_ESTIMATOR_REINFORCE, &trained);
#endif
    say("cost: gumbel_categorical_sample_f32 over 16 logits: %u instructions per call",
        categorical_cost(false));
    say("cost: gumbel_categorical_sample_fixed over 16 logits: %u instructions per call",
        categorical_cost(true));
    say("result: %s", passed ? "every check passed" : "FAILED");
    return passed ? 0 : 1;
}
