#!/usr/bin/env bash
# Checks every board: formatting and lints of the firmware and the glue, the firmware's host
# tests, every QEMU board run (its exit status is the on-target suite's), and a release build of
# every real board. Runs all of them, then fails if any failed.
#
#   boards/check.sh
#
# Needs qemu-system-arm, defmt-print, arm-none-eabi-gcc and the thumb targets (.ci/run installs
# them).
set -uo pipefail
cd "$(dirname "$0")"
export CARGO_TERM_COLOR=never

qemu_boards=(microbit lm3s6965evb mps2-an386 mps2-an505)
real_boards=(nrf52840-dk rpi-pico)
passed=0
failed=()

check() {
    local name=$1
    shift
    printf '\n--> %s\n' "$name"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed+=("$name")
    fi
}

in_dir() { (cd "$1" && shift && "$@"); }

check "firmware: fmt, clippy, host tests" in_dir firmware bash -c \
    'cargo fmt --check && cargo clippy --all-targets -- -D warnings && cargo test'
for board in "${qemu_boards[@]}" "${real_boards[@]}"; do
    check "$board: fmt, clippy" in_dir "$board" bash -c \
        'cargo fmt --check && cargo clippy --release -- -D warnings'
done
for board in "${qemu_boards[@]}"; do
    check "$board: on-target suite under QEMU" in_dir "$board" cargo run --release
done
for board in "${real_boards[@]}"; do
    check "$board: release build" in_dir "$board" cargo build --release
done
check "capi: fmt, clippy, host tests (header up to date), the C program under QEMU on M4F and M0" \
    bash capi/check.sh

printf '\nboards: %d passed, %d failed\n' "$passed" "${#failed[@]}"
if ((${#failed[@]})); then
    printf 'failed: %s\n' "${failed[@]}"
    exit 1
fi
