// libperfsh-alloc.so: the allocation recorder perfsh LD_PRELOADs into `run --alloc` targets.
//
// It interposes the C allocation functions and C++ operator new/delete, forwards every call
// to the next definition (dlsym(RTLD_NEXT)), and never changes what the allocator returns.
// Allocations are sampled as tcmalloc and Go do: a Poisson process over allocated bytes
// with mean PERFSH_ALLOC_RATE, drawn per thread. Sampled blocks get their stack (frame
// pointer walk) sent to perfsh through the shared ring of <CAllocRing.h> (descriptor
// PERFSH_ALLOC_FD) and their address kept in a table so that their free is sent too.
//
// Safety: a thread-local guard forwards every call made while the recorder itself runs
// (dlsym, pthread_getattr_np, a signal handler that allocates), so the hooks never recurse;
// the sampled path takes no locks except a per-bucket spin flag that the guard keeps a
// signal handler of the same thread from ever waiting on; no syscalls on the hot path.
#define _GNU_SOURCE
#include <CAllocRing.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define TLS __thread __attribute__((tls_model("initial-exec")))

// MARK: - The real allocator

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
static void *(*real_reallocarray)(void *, size_t, size_t);
static void *(*real_new)(size_t);
static void *(*real_new_array)(size_t);
static void *(*real_new_nothrow)(size_t, const void *);
static void *(*real_new_array_nothrow)(size_t, const void *);
static void *(*real_new_aligned)(size_t, size_t);
static void *(*real_new_array_aligned)(size_t, size_t);
static void (*real_delete)(void *);
static void (*real_delete_array)(void *);
static void (*real_delete_sized)(void *, size_t);
static void (*real_delete_array_sized)(void *, size_t);

// dlsym may call calloc/malloc before the real ones are known: those come from here.
static char bootstrap_arena[64 * 1024] __attribute__((aligned(64)));
static size_t bootstrap_used;

static int in_bootstrap(const void *p) {
  return (const char *)p >= bootstrap_arena && (const char *)p < bootstrap_arena + sizeof bootstrap_arena;
}

static void *bootstrap_alloc(size_t size) {
  size_t start = (__atomic_fetch_add(&bootstrap_used, (size + 15) & ~(size_t)15, __ATOMIC_RELAXED));
  if (start + size > sizeof bootstrap_arena) return NULL;
  return bootstrap_arena + start;  // static storage: already zero, as calloc needs
}

// MARK: - Per-thread state

static TLS int guard;             // >0 while the recorder runs on this thread
static TLS int64_t countdown;     // bytes left until the next sample
static TLS uint64_t prng;         // xorshift64* state; 0 = not seeded yet
static TLS uintptr_t stack_high;  // top of this thread's stack (frames lie below it)

// MARK: - Process state

static void *ring;           // the mapped ring, or NULL when not recording
// libunwind's unw_backtrace (DWARF CFI) when perfsh asked for it (PERFSH_ALLOC_UNWIND=dwarf):
// programs built without frame pointers. Loaded with dlopen, so other targets never map it.
static int (*unwind_backtrace)(void **, int);
static double rate = 524288; // mean bytes between samples
static int32_t cached_pid;
static int resolving;        // dlsym of the real functions is under way
static int initialized;
extern void *__libc_stack_end;
// This library's own image: frames inside it are the recorder's, not the program's (the
// compiler may outline the sampled path into a `.cold` part with a frame of its own).
extern const char __ehdr_start __attribute__((visibility("hidden")));
extern const char _end __attribute__((visibility("hidden")));

// Sampled live blocks, so their frees are recorded: buckets of a few addresses, each with a
// count read without a lock (the common free of an unsampled block costs one load) and a
// spin flag for changes.
#define BUCKETS 16384u
#define BUCKET_WAYS 7
struct bucket {
  uint32_t lock;
  uint32_t count;
  uint64_t addresses[BUCKET_WAYS];
};
static struct bucket *table;

static uint32_t bucket_of(uintptr_t p) {
  uint64_t h = (uint64_t)p * 0x9E3779B97F4A7C15ull;
  return (uint32_t)(h >> 50) & (BUCKETS - 1);
}

static void bucket_lock(struct bucket *b) {
  while (__atomic_exchange_n(&b->lock, 1, __ATOMIC_ACQUIRE)) {
    while (__atomic_load_n(&b->lock, __ATOMIC_RELAXED)) __builtin_ia32_pause();
  }
}

static void bucket_unlock(struct bucket *b) { __atomic_store_n(&b->lock, 0, __ATOMIC_RELEASE); }

/// Remembers a sampled block; 0 when its bucket is full (its free will not be seen).
static int table_insert(uintptr_t p) {
  struct bucket *b = &table[bucket_of(p)];
  int stored = 0;
  bucket_lock(b);
  if (b->count < BUCKET_WAYS) {
    b->addresses[b->count] = p;
    __atomic_store_n(&b->count, b->count + 1, __ATOMIC_RELEASE);
    stored = 1;
  }
  bucket_unlock(b);
  return stored;
}

/// Forgets `p`; 1 when it was a sampled block.
static int table_remove(uintptr_t p) {
  struct bucket *b = &table[bucket_of(p)];
  if (__atomic_load_n(&b->count, __ATOMIC_ACQUIRE) == 0) return 0;
  int found = 0;
  bucket_lock(b);
  for (uint32_t i = 0; i < b->count; i++) {
    if (b->addresses[i] == p) {
      b->addresses[i] = b->addresses[b->count - 1];
      __atomic_store_n(&b->count, b->count - 1, __ATOMIC_RELEASE);
      found = 1;
      break;
    }
  }
  bucket_unlock(b);
  return found;
}

// MARK: - Setup

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);  // vDSO: no syscall, async-signal-safe
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int32_t current_tid(void) { return (int32_t)syscall(SYS_gettid); }

static void resolve(void) {
  if (real_malloc) return;
  resolving = 1;
  real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
  real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
  real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
  real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
  real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
  real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
  real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
  real_valloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "valloc");
  real_pvalloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "pvalloc");
  real_reallocarray = (void *(*)(void *, size_t, size_t))dlsym(RTLD_NEXT, "reallocarray");
  resolving = 0;
}

static void write_hello(void);

static void after_fork_child(void) {
  cached_pid = (int32_t)syscall(SYS_getpid);
  // The child's copy of the table is right for its copy of the heap; a lock held by a
  // thread that does not exist in the child is released.
  // Only held locks are written: a store to every bucket would copy the whole table into
  // the child at each fork.
  if (table) {
    for (uint32_t i = 0; i < BUCKETS; i++) {
      if (__atomic_load_n(&table[i].lock, __ATOMIC_RELAXED)) table[i].lock = 0;
    }
  }
  write_hello();
}

/// Maps the ring named by PERFSH_ALLOC_FD; runs once, with the guard held.
static void init_recorder(void) {
  if (__atomic_exchange_n(&initialized, 1, __ATOMIC_ACQ_REL)) return;
  resolve();
  cached_pid = (int32_t)syscall(SYS_getpid);
  const char *fd_text = getenv("PERFSH_ALLOC_FD");
  const char *rate_text = getenv("PERFSH_ALLOC_RATE");
  if (!fd_text) return;
  int fd = atoi(fd_text);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < (off_t)PERFSH_ALLOC_HEADER_BYTES) return;
  void *base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) return;
  struct perfsh_alloc_header *h = (struct perfsh_alloc_header *)base;
  // The descriptor number may name another file in a program that reused it: only a ring
  // with perfsh's magic and a sane size is written to.
  if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != PERFSH_ALLOC_MAGIC || h->slot_count == 0 ||
      (h->slot_count & (h->slot_count - 1)) != 0 || perfsh_alloc_ring_bytes(h->slot_count) > (uint64_t)st.st_size) {
    munmap(base, (size_t)st.st_size);
    return;
  }
  void *t = mmap(NULL, BUCKETS * sizeof(struct bucket), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (t == MAP_FAILED) {
    munmap(base, (size_t)st.st_size);
    return;
  }
  table = (struct bucket *)t;
  if (rate_text) {
    double r = strtod(rate_text, NULL);
    if (r >= 1) rate = r;
  }
  const char *unwind = getenv("PERFSH_ALLOC_UNWIND");
  if (unwind && strcmp(unwind, "dwarf") == 0) {
    void *lib = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
    if (lib) unwind_backtrace = (int (*)(void **, int))dlsym(lib, "unw_backtrace");
  }
  pthread_atfork(NULL, NULL, after_fork_child);
  __atomic_store_n(&ring, base, __ATOMIC_RELEASE);
  write_hello();
}

__attribute__((constructor)) static void recorder_start(void) {
  guard++;
  init_recorder();
  guard--;
}

// MARK: - Sampling

static uint64_t next_random(void) {
  if (prng == 0) {
    prng = now_ns() ^ ((uint64_t)current_tid() << 32) ^ (uint64_t)(uintptr_t)&prng;
    if (prng == 0) prng = 0x2545F4914F6CDD1Dull;
  }
  prng ^= prng >> 12;
  prng ^= prng << 25;
  prng ^= prng >> 27;
  return prng * 0x2545F4914F6CDD1Dull;
}

/// Bytes until the next sample point: exponential with mean `rate`.
static int64_t draw_distance(void) {
  double u = ((double)(next_random() >> 11) + 0.5) * (1.0 / 9007199254740992.0);  // (0, 1)
  double d = -log(u) * rate;
  if (d > 4e18) d = 4e18;
  return (int64_t)d + 1;
}

/// Whether an allocation of `size` bytes holds a sample point (the countdown runs out in it).
static inline int should_sample(size_t size) {
  if (!ring) return 0;
  if (__builtin_expect(countdown == 0, 0)) countdown = draw_distance();  // a new thread
  countdown -= (int64_t)size;
  if (__builtin_expect(countdown > 0, 1)) return 0;
  countdown = draw_distance();  // memoryless: the next point is a fresh draw past this block
  return 1;
}

static void find_stack_high(void) {
  pthread_attr_t attr;
  void *addr = NULL;
  size_t size = 0;
  if (current_tid() == cached_pid && __libc_stack_end) {
    stack_high = (uintptr_t)__libc_stack_end;
    return;
  }
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {  // may allocate: the guard forwards that
    if (pthread_attr_getstack(&attr, &addr, &size) == 0) stack_high = (uintptr_t)addr + size;
    pthread_attr_destroy(&attr);
  }
  if (stack_high == 0) stack_high = (uintptr_t)-1;
}

/// Walks frame pointers from `fp` (the hook's frame): return addresses, innermost first.
/// A frame pointer is followed only while it rises, is 8-aligned and lies between the current
/// stack pointer and the thread's stack top, so a register reused as data stops the walk
/// instead of faulting. Frames of code without frame pointers are skipped or end the walk.
static uint32_t walk(uintptr_t fp, uint64_t *frames) {
  if (!stack_high) find_stack_high();
  uintptr_t low = (uintptr_t)__builtin_frame_address(0);
  uint32_t n = 0;
  while (n < PERFSH_ALLOC_MAX_FRAMES) {
    if (fp < low || fp & 7 || fp + 16 > stack_high) break;
    uintptr_t next = ((uintptr_t *)fp)[0];
    uintptr_t ret = ((uintptr_t *)fp)[1];
    if (ret < 4096) break;
    if (n > 0 || ret < (uintptr_t)&__ehdr_start || ret >= (uintptr_t)&_end) frames[n++] = ret;
    if (next <= fp) break;
    fp = next;
  }
  return n;
}

/// The stack by libunwind: return addresses, innermost first, the recorder's own frames dropped.
static uint32_t unwind(uint64_t *frames) {
  void *ips[PERFSH_ALLOC_MAX_FRAMES + 8];
  int got = unwind_backtrace(ips, PERFSH_ALLOC_MAX_FRAMES + 8);
  uint32_t n = 0;
  for (int i = 0; i < got && n < PERFSH_ALLOC_MAX_FRAMES; i++) {
    uintptr_t ip = (uintptr_t)ips[i];
    if (n == 0 && ip >= (uintptr_t)&__ehdr_start && ip < (uintptr_t)&_end) continue;
    frames[n++] = ip;
  }
  return n;
}

static void write_record(uint32_t kind, uintptr_t address, uint64_t size, uintptr_t fp) {
  uint64_t pos;
  struct perfsh_alloc_slot *slot = perfsh_alloc_ring_claim(ring, &pos);
  if (!slot) return;
  struct perfsh_alloc_record *r = &slot->record;
  r->kind = kind;
  r->pid = cached_pid;
  r->tid = current_tid();
  r->time_ns = now_ns();
  r->address = address;
  r->size = size;
  r->frame_count = !fp ? 0 : unwind_backtrace ? unwind(r->frames) : walk(fp, r->frames);
  perfsh_alloc_ring_publish(slot, pos);
}

static void write_hello(void) {
  if (!ring) return;
  __atomic_fetch_add(&((struct perfsh_alloc_header *)ring)->processes, 1, __ATOMIC_RELAXED);
  write_record(PERFSH_ALLOC_HELLO, 0, (uint64_t)rate, 0);
}

/// Records a sampled block (guard held by the caller).
static void record_alloc(void *p, size_t size, uintptr_t fp) {
  if (!p) return;
  if (!table_insert((uintptr_t)p)) {
    __atomic_fetch_add(&((struct perfsh_alloc_header *)ring)->untracked, 1, __ATOMIC_RELAXED);
  }
  write_record(PERFSH_ALLOC_ALLOC, (uintptr_t)p, size, fp);
}

/// Records the free of `p` when it was sampled (guard held by the caller).
static void record_free(void *p) {
  if (!p || !table) return;
  if (table_remove((uintptr_t)p)) write_record(PERFSH_ALLOC_FREE, (uintptr_t)p, 0, 0);
}

// The guard is released on every way out, including a C++ exception thrown through
// operator new (the target is built with -fexceptions).
static void guard_release(int *unused) {
  (void)unused;
  guard--;
}
#define GUARDED int guard_scope __attribute__((cleanup(guard_release), unused)) = ++guard

#define FRAME ((uintptr_t)__builtin_frame_address(0))

// MARK: - C allocation functions

EXPORT void *malloc(size_t size) {
  if (__builtin_expect(!real_malloc, 0)) {
    if (resolving) return bootstrap_alloc(size);
    resolve();
  }
  if (guard || !should_sample(size)) return real_malloc(size);
  GUARDED;
  void *p = real_malloc(size);
  record_alloc(p, size, FRAME);
  return p;
}

EXPORT void *calloc(size_t count, size_t size) {
  if (__builtin_expect(!real_calloc, 0)) {
    if (resolving) {
      size_t bytes;
      if (__builtin_mul_overflow(count, size, &bytes)) return NULL;
      return bootstrap_alloc(bytes);
    }
    resolve();
  }
  size_t bytes;
  if (guard || __builtin_mul_overflow(count, size, &bytes) || !should_sample(bytes)) return real_calloc(count, size);
  GUARDED;
  void *p = real_calloc(count, size);
  record_alloc(p, bytes, FRAME);
  return p;
}

/// Whether `p` may be a sampled block: one load of its bucket's count, no guard, no lock.
static inline int maybe_sampled(const void *p) {
  struct bucket *t = table;
  return t && __atomic_load_n(&t[bucket_of((uintptr_t)p)].count, __ATOMIC_RELAXED) != 0;
}

EXPORT void free(void *p) {
  if (!p || in_bootstrap(p)) return;
  if (__builtin_expect(!real_free, 0)) resolve();
  if (__builtin_expect(maybe_sampled(p), 0) && !guard) {
    GUARDED;
    record_free(p);
  }
  real_free(p);
}

EXPORT void *realloc(void *p, size_t size) {
  if (__builtin_expect(!real_realloc, 0)) {
    if (resolving) return bootstrap_alloc(size);
    resolve();
  }
  if (p && in_bootstrap(p)) {  // move a bootstrap block to the real heap
    void *q = real_malloc(size);
    if (q) memcpy(q, p, size < sizeof bootstrap_arena ? size : sizeof bootstrap_arena);
    return q;
  }
  if (guard || !ring) return real_realloc(p, size);
  GUARDED;
  // A realloc is a free of the old block and an allocation of the new size (as tcmalloc counts it).
  int sampled = size > 0 && should_sample(size);
  if (p) record_free(p);
  void *q = real_realloc(p, size);
  if (sampled) record_alloc(q, size, FRAME);
  return q;
}

EXPORT void *reallocarray(void *p, size_t count, size_t size) {
  if (__builtin_expect(!real_reallocarray, 0)) resolve();
  size_t bytes;
  if (guard || !ring || __builtin_mul_overflow(count, size, &bytes)) return real_reallocarray(p, count, size);
  GUARDED;
  int sampled = bytes > 0 && should_sample(bytes);
  if (p) record_free(p);
  void *q = real_reallocarray(p, count, size);
  if (sampled) record_alloc(q, bytes, FRAME);
  return q;
}

EXPORT int posix_memalign(void **out, size_t alignment, size_t size) {
  if (__builtin_expect(!real_posix_memalign, 0)) resolve();
  if (guard || !should_sample(size)) return real_posix_memalign(out, alignment, size);
  GUARDED;
  int rc = real_posix_memalign(out, alignment, size);
  if (rc == 0) record_alloc(*out, size, FRAME);
  return rc;
}

#define ALIGNED_HOOK(name, real)                                   \
  EXPORT void *name(size_t alignment, size_t size) {               \
    if (__builtin_expect(!real, 0)) resolve();                     \
    if (guard || !should_sample(size)) return real(alignment, size); \
    GUARDED;                                                       \
    void *p = real(alignment, size);                               \
    record_alloc(p, size, FRAME);                                  \
    return p;                                                      \
  }
ALIGNED_HOOK(aligned_alloc, real_aligned_alloc)
ALIGNED_HOOK(memalign, real_memalign)

EXPORT void *valloc(size_t size) {
  if (__builtin_expect(!real_valloc, 0)) resolve();
  if (guard || !should_sample(size)) return real_valloc(size);
  GUARDED;
  void *p = real_valloc(size);
  record_alloc(p, size, FRAME);
  return p;
}

EXPORT void *pvalloc(size_t size) {
  if (__builtin_expect(!real_pvalloc, 0)) resolve();
  if (guard || !should_sample(size)) return real_pvalloc(size);
  GUARDED;
  void *p = real_pvalloc(size);
  record_alloc(p, size, FRAME);
  return p;
}

// MARK: - C++ operator new / delete
//
// libstdc++'s operator new calls malloc, but it keeps no frame pointer, so a walk from
// malloc would skip the function that called `new`. Hooking new itself starts the walk at
// the caller. The real operator new still runs (new_handler, bad_alloc), and its inner
// malloc is forwarded by the guard.

static void *lookup(void **slot, const char *name) {
  if (!*slot) *slot = dlsym(RTLD_NEXT, name);
  return *slot;
}

// Every path holds the guard around the real call, so the inner malloc/free neither samples
// nor looks up a second time.
#define NEW_HOOK(mangled, realptr)                                                   \
  EXPORT void *mangled(size_t size) {                                               \
    void *(*real)(size_t) = (void *(*)(size_t))lookup((void **)&realptr, #mangled); \
    if (guard) return real(size);                                                   \
    int sampled = should_sample(size);                                              \
    GUARDED;                                                                        \
    void *p = real(size);                                                           \
    if (sampled) record_alloc(p, size, FRAME);                                      \
    return p;                                                                       \
  }
NEW_HOOK(_Znwm, real_new)
NEW_HOOK(_Znam, real_new_array)

#define NEW_NOTHROW_HOOK(mangled, realptr)                                                         \
  EXPORT void *mangled(size_t size, const void *tag) {                                            \
    void *(*real)(size_t, const void *) = (void *(*)(size_t, const void *))lookup((void **)&realptr, #mangled); \
    if (guard) return real(size, tag);                                                            \
    int sampled = should_sample(size);                                                            \
    GUARDED;                                                                                      \
    void *p = real(size, tag);                                                                    \
    if (sampled) record_alloc(p, size, FRAME);                                                    \
    return p;                                                                                     \
  }
NEW_NOTHROW_HOOK(_ZnwmRKSt9nothrow_t, real_new_nothrow)
NEW_NOTHROW_HOOK(_ZnamRKSt9nothrow_t, real_new_array_nothrow)

// operator new(size_t, std::align_val_t): libstdc++ calls aligned_alloc from a frame
// without a frame pointer, as plain new calls malloc.
#define NEW_ALIGNED_HOOK(mangled, realptr)                                                        \
  EXPORT void *mangled(size_t size, size_t alignment) {                                          \
    void *(*real)(size_t, size_t) = (void *(*)(size_t, size_t))lookup((void **)&realptr, #mangled); \
    if (guard) return real(size, alignment);                                                     \
    int sampled = should_sample(size);                                                           \
    GUARDED;                                                                                     \
    void *p = real(size, alignment);                                                             \
    if (sampled) record_alloc(p, size, FRAME);                                                   \
    return p;                                                                                    \
  }
NEW_ALIGNED_HOOK(_ZnwmSt11align_val_t, real_new_aligned)
NEW_ALIGNED_HOOK(_ZnamSt11align_val_t, real_new_array_aligned)

#define DELETE_HOOK(mangled, realptr)                                              \
  EXPORT void mangled(void *p) {                                                  \
    void (*real)(void *) = (void (*)(void *))lookup((void **)&realptr, #mangled); \
    if (guard || !maybe_sampled(p)) { real(p); return; }                              \
    GUARDED;                                                                      \
    record_free(p);                                                               \
    real(p);                                                                      \
  }
DELETE_HOOK(_ZdlPv, real_delete)
DELETE_HOOK(_ZdaPv, real_delete_array)

#define DELETE_SIZED_HOOK(mangled, realptr)                                                       \
  EXPORT void mangled(void *p, size_t size) {                                                    \
    void (*real)(void *, size_t) = (void (*)(void *, size_t))lookup((void **)&realptr, #mangled); \
    if (guard || !maybe_sampled(p)) { real(p, size); return; }                                       \
    GUARDED;                                                                                     \
    record_free(p);                                                                              \
    real(p, size);                                                                               \
  }
DELETE_SIZED_HOOK(_ZdlPvm, real_delete_sized)
DELETE_SIZED_HOOK(_ZdaPvm, real_delete_array_sized)
