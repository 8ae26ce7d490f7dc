// spawner [fork]: every 50 ms starts a thread (with `fork`: a child process) that calls
// tick() 1000 times and ends, for up to 60 s: threads and children started while
// `attach --trace '^tick$'` is attached must be traced too; the main thread never calls tick.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t sink;

__attribute__((noinline)) void tick(void) {
  __asm__ volatile("");
  sink++;
}

__attribute__((noinline)) void ticks(void) {
  for (int i = 0; i < 1000; i++) tick();
}

static void *worker(void *arg) {
  (void)arg;
  ticks();
  return NULL;
}

int main(int argc, char **argv) {
  int forks = argc > 1 && argv[1][0] == 'f';
  struct timespec nap = {0, 50 * 1000 * 1000};
  for (int round = 0; round < 1200; round++) {
    pthread_t t;
    if (!forks && pthread_create(&t, NULL, worker, NULL) == 0) pthread_join(t, NULL);
    if (forks) {
      pid_t child = fork();
      if (child == 0) {
        ticks();
        _exit(0);
      }
      if (child > 0) waitpid(child, NULL, 0);
    }
    nanosleep(&nap, NULL);
  }
  printf("spawner done %llu\n", (unsigned long long)(sink & 0xff));
  return 0;
}
