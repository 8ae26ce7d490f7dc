// crash: known work in crash_work, then a deliberate SIGSEGV.
#include <stdint.h>
#include <stdio.h>

static volatile uint64_t sink;

__attribute__((noinline)) uint64_t crash_work(uint64_t n) {
  uint64_t x = 13;
  for (uint64_t i = 0; i < n; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

int main(void) {
  sink += crash_work(150000000ULL);
  fflush(stdout);
  volatile int *volatile bad = (int *)0;
  *bad = (int)sink;  // SIGSEGV
  return 0;
}
