// Allocation workload with known totals, for `run --alloc` ground truth.
//   allocs          load_rows: 300 MiB in 4 KiB blocks, build_index: 100 MiB in 1 MiB blocks,
//                   tokenize: 50 MiB in 64-byte blocks; all freed except build_index's.
//   allocs fork     the same work in a forked child (no exec); the parent only waits.
//   allocs exec     execs itself (`allocs`) after 8 MiB of 64-byte blocks from warm_up.
//   allocs churn N [W]  N million malloc/free pairs of 16..256 bytes, each block filled and
//                   W rounds of arithmetic done on it (default 0; about 40 gives the issue's
//                   "10 M allocations per second" program here) (benchmark load); prints its
//                   own loop time per pair and its peak RSS on stderr, so a tool's start-up
//                   and post-processing do not count (scripts/bench-alloc).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MiB (1024L * 1024L)
static void *volatile sink;
void **index_blocks;  // global, so the compiler keeps what build_index stores

__attribute__((noinline)) void load_rows(void) {
  for (long i = 0; i < 300 * MiB / 4096; i++) {
    char *row = malloc(4096);
    row[0] = (char)i;
    sink = row;
    free(row);
  }
}

__attribute__((noinline)) void build_index(void) {
  index_blocks = malloc(100 * sizeof(void *));  // 800 bytes, kept too
  for (int i = 0; i < 100; i++) {
    char *block = malloc(MiB);
    block[0] = (char)i;
    index_blocks[i] = block;
  }
}

__attribute__((noinline)) void tokenize(long bytes) {
  for (long i = 0; i < bytes / 64; i++) {
    char *token = malloc(64);
    token[0] = (char)i;
    sink = token;
    free(token);
  }
}

__attribute__((noinline)) void warm_up(void) { tokenize(8 * MiB); }

__attribute__((noinline)) void churn(long count, int work) {
  unsigned x = 12345;
  for (long i = 0; i < count; i++) {
    x = x * 1103515245u + 12345u;
    size_t size = 16 + (x >> 16) % 241;
    char *p = malloc(size);
    memset(p, (int)i, size);
    for (int w = 0; w < work; w++) x = x * 1664525u + (unsigned char)p[w % size];
    sink = p;
    free(p);
  }
  sink = (void *)(uintptr_t)x;
}

static void ground_truth(void) {
  load_rows();
  build_index();
  tokenize(50 * MiB);
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "fork") == 0) {
    pid_t pid = fork();
    if (pid == 0) {
      ground_truth();
      exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  }
  if (strcmp(mode, "exec") == 0) {
    warm_up();
    execl("/proc/self/exe", argv[0], (char *)NULL);
    perror("exec");
    return 1;
  }
  if (strcmp(mode, "churn") == 0) {
    long count = (argc > 2 ? atol(argv[2]) : 10) * 1000000L;
    // CPU time of this thread, not wall time: on a busy machine other processes' turns on the
    // CPU would otherwise count as the tool's overhead.
    struct timespec t0, t1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    churn(count, argc > 3 ? atoi(argv[3]) : 0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
    // VmHWM is this image's peak RSS (ru_maxrss would include the pre-exec image of a launcher).
    long hwm = 0;
    char line[256];
    FILE *status = fopen("/proc/self/status", "r");
    while (status && fgets(line, sizeof line, status)) {
      if (strncmp(line, "VmHWM:", 6) == 0) hwm = atol(line + 6);
    }
    if (status) fclose(status);
    fprintf(stderr, "churn: %.2f ns CPU per malloc/free pair, peak RSS %ld KiB\n", ns / (double)count, hwm);
    return 0;
  }
  ground_truth();
  return 0;
}
