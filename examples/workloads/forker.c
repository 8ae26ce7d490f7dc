// forker: a parent that does a little work, then fork/execs itself as a child
// ("forker child") that does known work in child_work, and waits for it.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile uint64_t sink;

// GCC 12 gives a leaf function that needs no stack no frame, even with
// -mno-omit-leaf-frame-pointer, and frame-pointer stacks then lose its caller.
// One call to this makes each work function a non-leaf, so it keeps its frame.
__attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }

__attribute__((noinline)) uint64_t parent_work(uint64_t n) {
  keep_frame();
  uint64_t x = 5;
  for (uint64_t i = 0; i < n; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

__attribute__((noinline)) uint64_t child_work(uint64_t n) {
  keep_frame();
  uint64_t x = 9;
  for (uint64_t i = 0; i < n; i++) {
    x = x * 2862933555777941757ULL + 3037000493ULL;
    x ^= x >> 27;
  }
  return x;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) {
    sink += child_work(150000000ULL);
    printf("child done %llu\n", (unsigned long long)(sink & 0xff));
    return 0;
  }
  sink += parent_work(50000000ULL);
  pid_t pid = fork();
  if (pid == 0) {
    execl("/proc/self/exe", argv[0], "child", (char *)NULL);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  printf("parent done %llu child status %d\n", (unsigned long long)(sink & 0xff), status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
