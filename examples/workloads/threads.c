// threads: two named threads, each running a different CPU-bound function.
// alpha_work ("worker-alpha") does twice the work of beta_work ("worker-beta").
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define UNIT 100000000ULL

static volatile uint64_t sink;

// GCC 12 gives a leaf function that needs no stack no frame, even with
// -mno-omit-leaf-frame-pointer, and frame-pointer stacks then lose its caller.
// One call to this makes each work function a non-leaf, so it keeps its frame.
__attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }

__attribute__((noinline)) uint64_t alpha_work(uint64_t n) {
  keep_frame();
  uint64_t x = 7;
  for (uint64_t i = 0; i < n; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 31;
  }
  return x;
}

__attribute__((noinline)) uint64_t beta_work(uint64_t n) {
  keep_frame();
  uint64_t x = 11;
  for (uint64_t i = 0; i < n; i++) {
    x = x * 2862933555777941757ULL + 3037000493ULL;
    x ^= x >> 27;
  }
  return x;
}

static void *alpha_main(void *arg) {
  (void)arg;
  pthread_setname_np(pthread_self(), "worker-alpha");
  sink += alpha_work(2 * UNIT);
  return NULL;
}

static void *beta_main(void *arg) {
  (void)arg;
  pthread_setname_np(pthread_self(), "worker-beta");
  sink += beta_work(UNIT);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, alpha_main, NULL);
  pthread_create(&b, NULL, beta_main, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("threads done %llu\n", (unsigned long long)(sink & 0xff));
  return 0;
}
