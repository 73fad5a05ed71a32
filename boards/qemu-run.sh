#!/usr/bin/env bash
# Cargo runner of the QEMU boards: qemu-run.sh MACHINE [--defmt] ELF
# Runs ELF on `qemu-system-arm -M MACHINE` with semihosting and -icount (one instruction = 1 ns
# of virtual time, so SysTick counts instructions), always under `timeout`, and exits with the
# firmware's status (semihosting EXIT_SUCCESS/EXIT_FAILURE; 124 if it timed out). With --defmt
# the output is decoded by defmt-print.
set -euo pipefail
machine=$1
shift
decode=plain
if [[ ${1:-} == --defmt ]]; then
    decode=defmt
    shift
fi
elf=$1
qemu=(timeout "${QEMU_TIMEOUT:-120}" qemu-system-arm -M "$machine" -nographic -monitor none
    -semihosting-config enable=on,target=native -icount shift=0,align=off -kernel "$elf")
if [[ $decode == defmt ]]; then
    # pipefail: QEMU's status survives the pipe (defmt-print exits 0 at end of input).
    "${qemu[@]}" | defmt-print -e "$elf"
else
    exec "${qemu[@]}"
fi
