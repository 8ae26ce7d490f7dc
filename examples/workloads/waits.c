// waits: known on-CPU and off-CPU time on the main thread, ground truth for run --off-cpu.
// compute burns 500 ms of CPU, nap sleeps 300 ms, wait_pipe blocks 200 ms reading a pipe a
// child writes after 200 ms, wait_lock waits 250 ms for a mutex another thread holds.
// WAITS_SCALE (a percentage, default 100) scales every duration.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t sink;
static long scale = 100;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t held;

// GCC 12 gives a leaf function that needs no stack no frame; one call keeps each frame.
__attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }

static uint64_t nanos(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0) {}
}

// Burns `ms` of this thread's CPU time (not wall time: a busy machine does not shorten it).
__attribute__((noinline)) void compute(long ms) {
  keep_frame();
  uint64_t end = nanos(CLOCK_THREAD_CPUTIME_ID) + (uint64_t)ms * 1000000ULL;
  uint64_t x = 17;
  while (nanos(CLOCK_THREAD_CPUTIME_ID) < end) {
    // ~1 ms between clock reads: the vDSO keeps no frame pointer, so time there would lose compute.
    for (int i = 0; i < 1000000; i++) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  }
  sink += x;
}

__attribute__((noinline)) void nap(long ms) {
  keep_frame();
  sleep_ms(ms);
}

__attribute__((noinline)) void wait_pipe(long ms) {
  keep_frame();
  int fds[2];
  if (pipe(fds) != 0) exit(2);
  pid_t child = fork();
  if (child == 0) {
    sleep_ms(ms);
    char c = 'x';
    if (write(fds[1], &c, 1) != 1) _exit(3);
    _exit(0);
  }
  char c;
  if (read(fds[0], &c, 1) != 1) exit(4);
  waitpid(child, NULL, 0);
  close(fds[0]);
  close(fds[1]);
}

static void *holder(void *arg) {
  long ms = (long)arg;
  pthread_mutex_lock(&lock);
  pthread_barrier_wait(&held);
  sleep_ms(ms);
  pthread_mutex_unlock(&lock);
  return NULL;
}

__attribute__((noinline)) void wait_lock(long ms) {
  keep_frame();
  pthread_t t;
  pthread_barrier_init(&held, NULL, 2);
  pthread_create(&t, NULL, holder, (void *)ms);
  pthread_barrier_wait(&held);
  pthread_mutex_lock(&lock);  // held by `holder` for `ms`
  pthread_mutex_unlock(&lock);
  pthread_join(t, NULL);
}

int main(void) {
  const char *s = getenv("WAITS_SCALE");
  if (s) scale = atol(s) > 0 ? atol(s) : 100;
  compute(500 * scale / 100);
  nap(300 * scale / 100);
  wait_pipe(200 * scale / 100);
  wait_lock(250 * scale / 100);
  printf("waits done %llu\n", (unsigned long long)(sink & 0xff));
  return 0;
}
