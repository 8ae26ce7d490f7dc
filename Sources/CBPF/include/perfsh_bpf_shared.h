/* Layouts shared by perfsh's BPF programs (the .bpf files of Sources/BPFObjects, compiled for the BPF
 * machine) and Swift (through CBPF): map keys, values and constants. Plain C types only, so the
 * same header compiles for both targets with the same sizes and alignment. */
#ifndef PERFSH_BPF_SHARED_H
#define PERFSH_BPF_SHARED_H

/* selftest.bpf: hits counted per attach cookie, to check that BPF loads and attaches here. */
#define PERFSH_SELFTEST_SLOTS 64

#endif
