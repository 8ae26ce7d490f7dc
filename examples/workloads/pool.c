// pool: a thread pool whose 4 workers idle on a condition variable for the whole run while
// the main thread computes 200 ms and sleeps 300 ms: the idle time nobody waits for, for
// the critical-thread view of run --off-cpu.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static int done;
static volatile uint64_t sink;

__attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }

static uint64_t cpu_nanos(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static void *worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  while (!done) pthread_cond_wait(&work, &lock);
  pthread_mutex_unlock(&lock);
  return NULL;
}

__attribute__((noinline)) void busy(long ms) {
  keep_frame();
  uint64_t end = cpu_nanos() + (uint64_t)ms * 1000000ULL, x = 17;
  while (cpu_nanos() < end) {
    for (int i = 0; i < 1000000; i++) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  }
  sink += x;
}

__attribute__((noinline)) void rest(long ms) {
  keep_frame();
  struct timespec t = {0, ms * 1000000L};
  while (nanosleep(&t, &t) != 0) {}
}

int main(void) {
  pthread_t workers[4];
  for (int i = 0; i < 4; i++) pthread_create(&workers[i], NULL, worker, NULL);
  busy(200);
  rest(300);
  pthread_mutex_lock(&lock);
  done = 1;
  pthread_cond_broadcast(&work);
  pthread_mutex_unlock(&lock);
  for (int i = 0; i < 4; i++) pthread_join(workers[i], NULL);
  printf("pool done %llu\n", (unsigned long long)(sink & 0xff));
  return 0;
}
