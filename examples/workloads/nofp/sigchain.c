// sigchain: CPU time spent inside a signal handler, built without frame pointers. Stacks
// must unwind through the kernel's signal frame (__restore_rt) back to main:
// sig_work <- on_signal <- __restore_rt <- (raise, in libc) <- signal_loop <- main.
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static volatile uint64_t sink;

__attribute__((noinline)) uint64_t sig_work(uint64_t n) {
  uint64_t x = n | 1;
  for (uint64_t i = 0; i < n; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

static void on_signal(int sig) {
  sink += sig_work(2000000 + (uint64_t)sig);
}

__attribute__((noinline)) void signal_loop(int rounds) {
  for (int i = 0; i < rounds; i++) {
    raise(SIGUSR1);
    sink += 1;
  }
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 300;
  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigaction(SIGUSR1, &sa, NULL);
  signal_loop(rounds);
  printf("sigchain done %llu\n", (unsigned long long)(sink & 0xff));
  return 0;
}
