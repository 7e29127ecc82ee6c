/* LD_PRELOAD library for the benchmarks: the process sees a CPU without AVX-512, VNNI and AMX.
 *
 * Linux can make the cpuid instruction fault in user space (arch_prctl ARCH_SET_CPUID, on CPUs
 * with "cpuid_fault" in /proc/cpuinfo). The fault arrives as SIGSEGV; the handler runs the real
 * cpuid, clears the feature bits of leaf 7 (AVX-512 of every kind, AVX-VNNI, AMX) and steps over
 * the instruction. Libraries that dispatch by cpuid (ONNX Runtime's MLAS, numpy) then run their
 * AVX2 code, as on an AMD EPYC of the Zen 2/3 kind. The kernel's own list (/proc/cpuinfo) is
 * unchanged. The setting is per thread and inherited by threads started later.
 *
 *   gcc -O2 -shared -fPIC -o cpumask.so bench/cpumask.c   (bench/ceiling.py --as-avx2 does it)
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static int active;

int cpumask_active(void) { return active; }

static void real_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static void on_fault(int sig, siginfo_t *info, void *context) {
    (void)info;
    ucontext_t *uc = context;
    greg_t *regs = uc->uc_mcontext.gregs;
    const unsigned char *ip = (const unsigned char *)regs[REG_RIP];
    if (ip[0] != 0x0F || ip[1] != 0xA2) { /* a real crash: let it crash */
        signal(sig, SIG_DFL);
        return;
    }
    uint32_t leaf = (uint32_t)regs[REG_RAX], sub = (uint32_t)regs[REG_RCX], r[4];
    syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1);
    real_cpuid(leaf, sub, r);
    syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0);
    if (leaf == 7 && sub == 0) {
        /* EBX: avx512f dq ifma pf er cd bw vl; ECX: vbmi vbmi2 vnni bitalg vpopcntdq;
           EDX: 4vnniw 4fmaps vp2intersect amx-bf16 avx512-fp16 amx-tile amx-int8 */
        r[1] &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31));
        r[2] &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
        r[3] &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) | (1u << 24) | (1u << 25));
    } else if (leaf == 7 && sub == 1) {
        /* EAX: avx-vnni avx512-bf16 amx-fp16 avx-ifma; EDX: avx-vnni-int8 avx-ne-convert */
        r[0] &= ~((1u << 4) | (1u << 5) | (1u << 21) | (1u << 23));
        r[3] &= ~((1u << 4) | (1u << 5));
    }
    regs[REG_RAX] = r[0];
    regs[REG_RBX] = r[1];
    regs[REG_RCX] = r[2];
    regs[REG_RDX] = r[3];
    regs[REG_RIP] += 2;
}

__attribute__((constructor)) static void start(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &action, 0);
    active = syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0) == 0;
}
