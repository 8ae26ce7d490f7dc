// calls_threads: two threads each run worker(), which calls inner() exactly 20,000
// times, so inner() is called exactly 40,000 times in total and worker() twice.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define CALLS_PER_THREAD 20000
#define INNER_WORK 4000

static volatile uint64_t sink;

// Keeps inner() a non-leaf so frame-pointer stacks keep its caller (see calls.c).
__attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }

__attribute__((noinline)) uint64_t inner(uint64_t seed) {
  keep_frame();
  uint64_t x = seed;
  for (int i = 0; i < INNER_WORK; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

__attribute__((noinline)) void *worker(void *arg) {
  uint64_t x = (uint64_t)(uintptr_t)arg;
  for (int i = 0; i < CALLS_PER_THREAD; i++) x += inner(x + (uint64_t)i);
  sink += x & 1;
  return NULL;
}

int main(void) {
  pthread_t threads[2];
  for (uintptr_t i = 0; i < 2; i++) pthread_create(&threads[i], NULL, worker, (void *)i);
  for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
  printf("calls_threads done %llu\n", (unsigned long long)(sink & 0xff));
  return 0;
}
