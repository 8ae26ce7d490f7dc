// places: the main thread sleeps 2 ms at six call sites in turn (nap_a … nap_f), ROUNDS times
// each (30 by default): 60 ms per site by construction. Each site reaches the same `nap` with
// the same registers at the same stack depth, so only the return addresses on the stack tell
// the sites apart — the ground truth for the off-CPU BPF path's place reuse (a reused place
// must be checked against the stack, not just the registers) and for places replaced (six
// sites against four remembered places: every switch-out replaces one).
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static struct timespec two_ms = {0, 2 * 1000 * 1000};

__attribute__((noinline)) void nap(void) { nanosleep(&two_ms, NULL); }

#define SITE(name) \
  __attribute__((noinline)) void name(void) { \
    nap(); \
    __asm__ volatile(""); \
  }
SITE(nap_a)
SITE(nap_b)
SITE(nap_c)
SITE(nap_d)
SITE(nap_e)
SITE(nap_f)

int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 30;
  for (long i = 0; i < rounds; i++) {
    nap_a();
    nap_b();
    nap_c();
    nap_d();
    nap_e();
    nap_f();
  }
  printf("places done\n");
  return 0;
}
