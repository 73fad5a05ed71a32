#!/usr/bin/env bash
# Checks the C interface: formatting and lints, the host tests (the committed header is what
# cbindgen generates), then the C program qemu/main.c, compiled with arm-none-eabi-gcc and
# linked with the static library, under QEMU on the Cortex-M4F (mps2-an386) and the Cortex-M0
# (microbit): its exit status is the pinned vectors' replay, the error paths and the bandit.
#
#   boards/capi/check.sh
#
# Needs arm-none-eabi-gcc (Debian's gcc-arm-none-eabi), qemu-system-arm and the thumbv6m and
# thumbv7em targets (.ci/run installs them). Prints each QEMU run's output.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TERM_COLOR=never

cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test

build=target/qemu
mkdir -p "$build"
cargo run --quiet --example vectors_header >"$build/vectors.h"

# machine, Rust target, GCC core flags, SysTick clock (Hz), flash and RAM sizes.
boards=(
    "mps2-an386 thumbv7em-none-eabihf -mcpu=cortex-m4,-mfloat-abi=hard,-mfpu=fpv4-sp-d16 25000000 4M 4M"
    "microbit thumbv6m-none-eabi -mcpu=cortex-m0,-mfloat-abi=soft 16000000 256K 16K"
)
for board in "${boards[@]}"; do
    read -r machine target cpu hz flash ram <<<"$board"
    # Warnings denied: the bare-metal build (its panic handler) is linted by rustc here.
    RUSTFLAGS="-D warnings" cargo build --release --target "$target"
    elf="$build/gumbel-c-$machine.elf"
    # shellcheck disable=SC2046 # the core flags are comma-separated on purpose
    arm-none-eabi-gcc -mthumb $(tr , ' ' <<<"$cpu") -std=c11 -O2 -Wall -Wextra -Werror \
        -ffreestanding -nostdlib -ffunction-sections -fdata-sections \
        -DBOARD="\"$machine\"" -DSYSTICK_HZ="$hz" -Iinclude -I"$build" \
        qemu/main.c qemu/startup.c -T qemu/link.ld \
        -Wl,--defsym=FLASH_LENGTH="$flash",--defsym=RAM_LENGTH="$ram",--gc-sections,-z,noexecstack \
        "target/$target/release/libgumbel_capi.a" -lgcc -o "$elf"
    arm-none-eabi-size "$elf"
    ../qemu-run.sh "$machine" "$elf"
done
