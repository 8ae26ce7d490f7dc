// sleeper: burns CPU in sleeper_spin and sleeps in turns for up to 60 s, to test --timeout.
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static volatile uint64_t sink;

// GCC 12 gives a leaf function that needs no stack no frame, even with
// -mno-omit-leaf-frame-pointer, and frame-pointer stacks then lose its caller.
// One call to this makes each work function a non-leaf, so it keeps its frame.
__attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }

__attribute__((noinline)) uint64_t sleeper_spin(uint64_t n) {
  keep_frame();
  uint64_t x = 17;
  for (uint64_t i = 0; i < n; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

int main(void) {
  struct timespec nap = {0, 50 * 1000 * 1000};
  for (int i = 0; i < 600; i++) {  // 600 * (~50 ms spin + 50 ms sleep) = about 60 s
    sink += sleeper_spin(10000000ULL);
    nanosleep(&nap, NULL);
  }
  printf("sleeper done %llu\n", (unsigned long long)(sink & 0xff));
  return 0;
}
