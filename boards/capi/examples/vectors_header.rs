//! Writes the pinned test vectors as a C header to stdout, for the C program in `qemu/`:
//! the inputs of every case of `gumbel::vectors` as raw bits of each scalar, and the expected
//! outputs copied from the pinned tables `gumbel::vectors::EXPECTED_F32` / `EXPECTED_FIXED`
//! (nothing here runs a sampler, so the C replay is checked against the tables, not against
//! this crate).
//!
//! ```sh
//! cargo run --example vectors_header > target/qemu/vectors.h
//! ```

use gumbel::vectors::{ALLOWED, Case, EXPECTED_F32, EXPECTED_FIXED, K, LOGIT_QUARTERS, SEED};
use gumbel::vectors::{MAX_OUTPUTS, UPSTREAM};
use gumbel::{Fixed, Scalar};

/// A C initialiser list of hexadecimal words.
fn words(values: impl IntoIterator<Item = u32>) -> String {
    let items: Vec<String> = values.into_iter().map(|v| format!("0x{v:08x}u")).collect();
    format!("{{{}}}", items.join(", "))
}

/// The inputs of the cases in scalar `S`, as `#define`s and arrays named `VECTORS_<NAME>_*`.
fn inputs<S: Scalar>(name: &str) -> String {
    let quarter = S::ONE / S::from_i32(4);
    let logits = LOGIT_QUARTERS.map(|q| (S::from_i32(q) * quarter).to_bits());
    let upstream = UPSTREAM.map(|u| S::from_i32(u).to_bits());
    let two_thirds = S::from_i32(2) / S::from_i32(3);
    let mut out = String::new();
    out += &format!(
        "static const uint32_t VECTORS_{name}_LOGITS[VECTORS_K] = {};\n",
        words(logits)
    );
    out += &format!(
        "static const uint32_t VECTORS_{name}_UPSTREAM[VECTORS_K] = {};\n",
        words(upstream)
    );
    for (constant, value) in [
        ("ONE", S::ONE),
        ("HALF", S::HALF),
        ("QUARTER", quarter),
        ("TWO_THIRDS", two_thirds),
        ("LN_ZERO", S::LN_ZERO),
        ("NEG_LN_ZERO", -S::LN_ZERO),
        ("MAX", S::MAX),
    ] {
        out += &format!(
            "#define VECTORS_{name}_{constant} 0x{:08x}u\n",
            value.to_bits()
        );
    }
    out
}

/// The pinned outputs of every case, as one array per case and a table of them.
fn expected(name: &str, tables: &[&[u32]]) -> String {
    let mut out = String::new();
    for (case, table) in Case::ALL.iter().zip(tables) {
        out += &format!(
            "static const uint32_t VECTORS_{name}_{}[{}] = {};\n",
            case.name().to_uppercase(),
            table.len(),
            words(table.iter().copied())
        );
    }
    out += &format!("static const struct vectors_table VECTORS_{name}[VECTORS_CASES] = {{\n");
    for case in Case::ALL {
        let upper = case.name().to_uppercase();
        out += &format!(
            "    {{VECTORS_{name}_{upper}, sizeof VECTORS_{name}_{upper} / sizeof(uint32_t)}},\n"
        );
    }
    out += "};\n";
    out
}

fn main() {
    let mut header = String::from(
        "/* The pinned test vectors of gumbel (src/vectors.rs and the tables in src/vectors/),\n   \
         written by `cargo run --example vectors_header` in boards/capi; do not edit. */\n\
         #ifndef GUMBEL_VECTORS_H\n#define GUMBEL_VECTORS_H\n\n\
         #include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n",
    );
    header += &format!("#define VECTORS_SEED 0x{SEED:016x}ull\n");
    header += &format!("#define VECTORS_K {K}\n");
    header += &format!("#define VECTORS_MAX_OUTPUTS {MAX_OUTPUTS}\n");
    header += &format!("#define VECTORS_CASES {}\n", Case::ALL.len());
    header +=
        "\n/* The cases, in table order; case i seeds its generator with VECTORS_SEED + i. */\n";
    header += "enum vectors_case {\n";
    for case in Case::ALL {
        header += &format!("    VECTORS_CASE_{},\n", case.name().to_uppercase());
    }
    header += "};\n\nstatic const char *const VECTORS_CASE_NAMES[VECTORS_CASES] = {\n";
    for case in Case::ALL {
        header += &format!("    \"{}\",\n", case.name());
    }
    header += "};\n\n";
    let allowed: Vec<&str> = ALLOWED
        .iter()
        .map(|&a| if a { "true" } else { "false" })
        .collect();
    header += &format!(
        "static const bool VECTORS_ALLOWED[VECTORS_K] = {{{}}};\n\n",
        allowed.join(", ")
    );
    header += "/* Inputs, as the raw bits of each scalar (f32 bits; Q16.16 integers). */\n";
    header += &inputs::<f32>("F32");
    header += &inputs::<Fixed>("FIXED");
    header += "\n/* Expected outputs, copied from the pinned tables. */\n";
    header += "struct vectors_table {\n    const uint32_t *values;\n    size_t len;\n};\n\n";
    header += &expected("F32", &EXPECTED_F32);
    header += &expected("FIXED", &EXPECTED_FIXED);
    header += "\n#endif /* GUMBEL_VECTORS_H */\n";
    print!("{header}");
}
