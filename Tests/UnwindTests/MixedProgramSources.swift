import Foundation
import PerfshTestSupport

/// Small real programs for the per-frame unwinding tests, written and built into a
/// temporary directory by the test that needs them.
enum MixedProgramSources {
  /// Go: main → outer → middle → hot (a spin loop) for ARG1 rounds; `exec PATH ARGS…` execs PATH instead.
  static let go = """
    package main

    import (
    \t"fmt"
    \t"os"
    \t"strconv"
    \t"syscall"
    )

    var sink uint64

    //go:noinline
    func hot(n int) uint64 {
    \tx := sink
    \tfor i := 0; i < n; i++ {
    \t\tx = x*6364136223846793005 + 1442695040888963407 ^ (x >> 13)
    \t}
    \treturn x
    }

    //go:noinline
    func middle(n int) uint64 { return hot(n) + 1 }

    //go:noinline
    func outer(n int) uint64 { return middle(n) ^ 3 }

    func main() {
    \tif len(os.Args) > 2 && os.Args[1] == "exec" {
    \t\tif err := syscall.Exec(os.Args[2], os.Args[2:], os.Environ()); err != nil {
    \t\t\tpanic(err)
    \t\t}
    \t}
    \trounds := 600
    \tif len(os.Args) > 1 {
    \t\trounds, _ = strconv.Atoi(os.Args[1])
    \t}
    \tfor i := 0; i < rounds; i++ {
    \t\tsink += outer(300000)
    \t}
    \tfmt.Println("go done", sink != 0)
    }
    """

  /// JavaScript: the top-level script calls outer → middle → hot for ARG1 milliseconds.
  static let javaScript = """
    function hot(n) {
      let x = 0;
      for (let i = 0; i < n; i++) { x = (x * 31 + i) % 1000003; }
      return x;
    }
    function middle(n) { return hot(n) + 1; }
    function outer(n) { return middle(n) ^ 3; }
    let sink = 0;
    const end = Date.now() + Number(process.argv[2] || 1000);
    while (Date.now() < end) { sink += outer(200000); }
    console.log("node done", sink > 0);
    """

  /// Python: the module calls outer → middle → hot for ARG1 seconds.
  static let python = """
    import sys, time
    def hot(n):
        x = 0
        for i in range(n):
            x = (x * 31 + i) % 1000003
        return x
    def middle(n): return hot(n) + 1
    def outer(n): return middle(n) ^ 3
    end = time.time() + float(sys.argv[1] if len(sys.argv) > 1 else 1)
    s = 0
    while time.time() < end:
        s += outer(20000)
    print("py done", s > 0)
    """

  /// C: two threads named deep-a and deep-b each recurse 2,000 frames of ~130 bytes (far
  /// more than a 60 KiB stack copy) before spinning.
  static let deepRecursion = """
    #define _GNU_SOURCE
    #include <pthread.h>
    #include <time.h>
    volatile unsigned long sink;
    __attribute__((noinline)) unsigned long spin(int n) {
      unsigned long x = sink;
      for (int i = 0; i < n; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
      return x;
    }
    __attribute__((noinline)) unsigned long recurse(int depth, int n) {
      volatile char pad[96];
      pad[0] = (char)depth;
      if (depth == 0) return spin(n) + pad[0];
      return recurse(depth - 1, n) + pad[0];
    }
    static double now(void) {
      struct timespec t;
      clock_gettime(CLOCK_MONOTONIC, &t);
      return t.tv_sec + t.tv_nsec / 1e9;
    }
    static void *worker(void *name) {
      pthread_setname_np(pthread_self(), (const char *)name);
      double end = now() + 0.8;
      while (now() < end) sink += recurse(2000, 200000);
      return 0;
    }
    int main(void) {
      pthread_t a, b;
      pthread_create(&a, 0, worker, "deep-a");
      pthread_create(&b, 0, worker, "deep-b");
      pthread_join(a, 0);
      pthread_join(b, 0);
      return 0;
    }
    """

  /// Writes `source` as `file` in `directory` and runs `build` (with FILE replaced by its
  /// path) there; throws with the command's stderr when it fails.
  static func build(_ source: String, file: String, in directory: URL, _ build: [String]) throws {
    try source.write(to: directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
    _ = try GoToolchain.run(
      build.map { $0 == "FILE" ? directory.appendingPathComponent(file).path : $0 }, in: directory)
  }

  /// The first program on PATH among `names`, or nil.
  static func onPath(_ names: [String]) -> String? {
    let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    for name in names {
      for dir in dirs where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") { return "\(dir)/\(name)" }
    }
    return nil
  }
}
