// pingpong: two threads bounce a byte over two pipes ROUNDS times (about two context
// switches per round trip each way), the switch-heavy load of scripts/bench-offcpu.
// `pingpong ROUNDS WORK` also computes WORK loop iterations between round trips (in
// `think`), which lowers the switch rate to a chosen one. `pingpong spin MS` burns MS of CPU
// instead (a CPU-bound control). Prints its wall time and its CPU time (both threads, user +
// kernel).
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int there[2], back[2];
static long rounds = 100000;
static long work = 0;
static volatile uint64_t sink;

__attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }

static uint64_t nanos(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static void *echo(void *arg) {
  (void)arg;
  char c;
  for (long i = 0; i < rounds; i++) {
    if (read(there[0], &c, 1) != 1 || write(back[1], &c, 1) != 1) exit(2);
  }
  return NULL;
}

__attribute__((noinline)) void think(void) {
  keep_frame();
  uint64_t x = sink;
  for (long i = 0; i < work; i++) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  sink = x;
}

__attribute__((noinline)) void bounce(void) {
  keep_frame();
  char c = 'x';
  for (long i = 0; i < rounds; i++) {
    if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1) exit(3);
    if (work) think();
  }
}

__attribute__((noinline)) void spin(long ms) {
  keep_frame();
  uint64_t end = nanos(CLOCK_THREAD_CPUTIME_ID) + (uint64_t)ms * 1000000ULL;
  uint64_t x = 17;
  while (nanos(CLOCK_THREAD_CPUTIME_ID) < end) {
    for (int i = 0; i < 1000000; i++) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  }
  sink += x;
}

int main(int argc, char **argv) {
  uint64_t start = nanos(CLOCK_MONOTONIC);
  if (argc > 2 && strcmp(argv[1], "spin") == 0) {
    spin(atol(argv[2]));
  } else {
    if (argc > 1) rounds = atol(argv[1]);
    if (argc > 2) work = atol(argv[2]);
    if (pipe(there) != 0 || pipe(back) != 0) return 1;
    pthread_t t;
    pthread_create(&t, NULL, echo, NULL);
    bounce();
    pthread_join(t, NULL);
  }
  fprintf(stderr, "pingpong elapsed %llu ns\n", (unsigned long long)(nanos(CLOCK_MONOTONIC) - start));
  // CPU time of both threads, user + kernel: what recording each switch costs the target itself,
  // which a loaded machine does not blur the way it blurs elapsed time.
  fprintf(stderr, "pingpong cpu %llu ns\n", (unsigned long long)nanos(CLOCK_PROCESS_CPUTIME_ID));
  return 0;
}
