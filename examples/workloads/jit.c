// jit: CPU time in code that belongs to no file. First a JIT-style loop copied into an
// anonymous executable mapping, announced in /tmp/perf-PID.map as "jit_loop" (the format
// node --perf-basic-prof writes); then clock_gettime in a loop, which runs in the vDSO.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t sink;

__attribute__((noinline)) void vdso_phase(uint64_t calls) {
  struct timespec ts;
  for (uint64_t i = 0; i < calls; i++) {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sink += (uint64_t)ts.tv_nsec;
  }
}

int main(void) {
  // mov rcx, rdi; 1: dec rcx; jnz 1b; mov rax, rcx; ret
  static const unsigned char code[] = {0x48, 0x89, 0xf9, 0x48, 0xff, 0xc9, 0x75, 0xfb, 0x48, 0x89, 0xc8, 0xc3};
  void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  memcpy(page, code, sizeof code);
  char path[64];
  snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
  FILE *map = fopen(path, "w");
  if (map != NULL) {
    fprintf(map, "%llx %zx jit_loop\n", (unsigned long long)(uintptr_t)page, sizeof code);
    fclose(map);
  }
  uint64_t (*jit_loop)(uint64_t) = (uint64_t (*)(uint64_t))page;
  sink += jit_loop(400000000ULL);
  vdso_phase(5000000ULL);
  printf("jit done %llu map %s\n", (unsigned long long)(sink & 0xff), path);
  return 0;
}
