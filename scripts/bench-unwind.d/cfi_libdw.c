// cfi_libdw: elfutils libdw CFI lookups (dwarf_cfi_addrframe + dwarf_frame_cfa + dwarf_frame_register
// for the return address) at the same pseudo-random addresses as `perfsh-unwind-bench
// --cfi-lookups`, to compare the two CFI readers. Built by scripts/bench-unwind.
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static uint64_t now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000ull + t.tv_nsec; }
int main(int argc, char **argv) {
  if (argc != 5) { fprintf(stderr, "usage: cfi_libdw PATH LO HI N\n"); return 2; }
  uint64_t lo = strtoull(argv[2], 0, 16), hi = strtoull(argv[3], 0, 16); long n = atol(argv[4]);
  elf_version(EV_CURRENT);
  int fd = open(argv[1], O_RDONLY);
  uint64_t t0 = now();
  Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
  Dwarf_CFI *cfi = dwarf_getcfi_elf(elf);
  if (!cfi) { fprintf(stderr, "no cfi\n"); return 1; }
  uint64_t t1 = now();
  uint64_t x = 12345; long found = 0;
  for (long i = 0; i < n; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    Dwarf_Addr a = lo + (x >> 16) % (hi - lo);
    Dwarf_Frame *frame;
    if (dwarf_cfi_addrframe(cfi, a, &frame) != 0) continue;
    Dwarf_Op *ops; size_t nops; Dwarf_Op mem[3];
    if (dwarf_frame_cfa(frame, &ops, &nops) == 0 && dwarf_frame_register(frame, 16, mem, &ops, &nops) == 0) found++;
    free(frame);
  }
  uint64_t t2 = now();
  fprintf(stderr, "libdw CFI: setup %lluus, %ld lookups, %ld found, %.0f lookups/s\n", (unsigned long long)(t1 - t0) / 1000, n, found, n / ((t2 - t1) / 1e9));
  return 0;
}
