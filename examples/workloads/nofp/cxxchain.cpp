// cxxchain: an optimized C++ program (g++ -O2, no frame pointers) with templates, a
// std::function and std::sort, so its stacks go through libstdc++-style code. Samples'
// stacks must reach main.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

namespace work {
template <typename T> struct Mixer {
  T state;
  __attribute__((noinline)) T mix(T rounds) {
    T x = state | 1;
    for (T i = 0; i < rounds; i++) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      x ^= x >> 29;
    }
    state = x;
    return x;
  }
};

__attribute__((noinline)) uint64_t sortBatch(std::vector<uint64_t> &v, uint64_t seed) {
  Mixer<uint64_t> m{seed};
  for (auto &e : v) e = m.mix(3);
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

__attribute__((noinline)) uint64_t driver(const std::function<uint64_t(uint64_t)> &step, uint64_t rounds) {
  uint64_t acc = 0;
  for (uint64_t r = 0; r < rounds; r++) acc += step(r);
  return acc;
}
}  // namespace work

int main(int argc, char **argv) {
  uint64_t rounds = argc > 1 ? strtoull(argv[1], nullptr, 10) : 40;
  std::vector<uint64_t> v(200000);
  uint64_t total = work::driver([&](uint64_t r) { return work::sortBatch(v, r); }, rounds);
  std::printf("cxxchain done %llu\n", (unsigned long long)(total & 0xff));
  return 0;
}
