// crash: known work in crash_work, then a deliberate SIGSEGV.
#include <stdint.h>
#include <stdio.h>

static volatile uint64_t sink;

// GCC 12 gives a leaf function that needs no stack no frame, even with
// -mno-omit-leaf-frame-pointer, and frame-pointer stacks then lose its caller.
// One call to this makes each work function a non-leaf, so it keeps its frame.
__attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }

__attribute__((noinline)) uint64_t crash_work(uint64_t n) {
  keep_frame();
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
