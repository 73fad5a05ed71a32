/* Bare-metal start-up for the C test program under QEMU (Cortex-M0 and M4F): the vector table,
 * the reset handler (copy .data, zero .bss, turn the FPU on where there is one, call main) and
 * the two semihosting calls the program needs (print a string, exit with a status QEMU passes
 * on). No C library: the compiler's freestanding headers and libgcc only. */
#include <stdint.h>

extern int main(void);
void semihosting_write(const char *text);
void semihosting_exit(int success);

extern uint32_t _data_start[], _data_end[], _data_load[], _bss_start[], _bss_end[];
extern uint32_t _stack_top[];

/* One semihosting call: operation in r0, argument in r1, `bkpt 0xAB` hands it to QEMU
 * (run with -semihosting-config enable=on, or this locks up). */
static uint32_t semihosting(uint32_t operation, const void *argument)
{
    register uint32_t r0 __asm__("r0") = operation;
    register const void *r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* SYS_WRITE0: a NUL-terminated string to QEMU's standard output. */
void semihosting_write(const char *text)
{
    semihosting(0x04, text);
}

/* SYS_EXIT: ADP_Stopped_ApplicationExit makes QEMU exit 0, any other reason 1. */
void semihosting_exit(int success)
{
    semihosting(0x18, (const void *)(success ? 0x20026u : 0x20023u));
    for (;;) {
    }
}

static void fault_handler(void)
{
    semihosting_write("fault: the core took an exception\n");
    semihosting_exit(0);
}

void reset_handler(void)
{
    for (uint32_t *from = _data_load, *to = _data_start; to < _data_end;) {
        *to++ = *from++;
    }
    for (uint32_t *to = _bss_start; to < _bss_end;) {
        *to++ = 0;
    }
#if defined(__ARM_FP)
    /* CPACR: full access to coprocessors 10 and 11 (the FPU), before any float instruction. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    semihosting_exit(main() == 0);
}

/* The initial stack pointer, the reset handler, then the 14 system exceptions. */
__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
    _stack_top,
    reset_handler,
    fault_handler, fault_handler, fault_handler, fault_handler, fault_handler,
    0, 0, 0, 0,
    fault_handler, fault_handler, 0,
    fault_handler, fault_handler,
};
