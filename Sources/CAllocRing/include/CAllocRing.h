// CAllocRing: the shared-memory ring between the allocation recorder (libperfsh-alloc.so,
// LD_PRELOADed into the target) and perfsh's Capture. Both sides include this one header.
//
// perfsh creates a memfd of perfsh_alloc_ring_bytes(slots), writes the header, and passes
// the descriptor number to the target in PERFSH_ALLOC_FD (and the sampling rate in
// PERFSH_ALLOC_RATE). Every process of the target (threads, fork children, exec'd images)
// maps the same memory and produces records; perfsh is the single consumer.
//
// The ring is Vyukov's bounded MPMC queue over fixed-size slots: a producer claims slot
// `pos` by CAS on `head` when that slot's `sequence` equals `pos`, fills it, then publishes
// with `sequence = pos + 1` (release). The consumer reads slot `tail` once its sequence is
// `tail + 1` and hands it back with `sequence = tail + slots`. A full ring drops the record
// and counts it in `lost`. No locks, no syscalls: safe inside malloc and signal handlers.
#ifndef PERFSH_CALLOCRING_H
#define PERFSH_CALLOCRING_H

#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PERFSH_ALLOC_MAGIC 0x314b4c4c4150ull  /* "PALLK1" */
#define PERFSH_ALLOC_VERSION 1u
/// Frames kept per allocation stack (the innermost first).
#define PERFSH_ALLOC_MAX_FRAMES 62

/// What a record says.
enum perfsh_alloc_kind {
  /// A process started recording (after exec or at start); `size` holds the rate in bytes.
  PERFSH_ALLOC_HELLO = 1,
  /// A sampled allocation of `size` bytes at `address` with `frame_count` frames.
  PERFSH_ALLOC_ALLOC = 2,
  /// A sampled block at `address` was freed (or moved by realloc).
  PERFSH_ALLOC_FREE = 3,
};

/// One record. 40 bytes of fields, then the frames (return addresses, innermost first).
struct perfsh_alloc_record {
  uint32_t kind;
  int32_t pid;
  int32_t tid;
  uint32_t frame_count;
  uint64_t time_ns;  // CLOCK_MONOTONIC, the clock perf events use in perfsh
  uint64_t address;
  uint64_t size;
  uint64_t frames[PERFSH_ALLOC_MAX_FRAMES];
};

/// One slot: the sequence word and the record (544 bytes).
struct perfsh_alloc_slot {
  uint64_t sequence;
  struct perfsh_alloc_record record;
};

/// The ring's header, one page; the slots follow at `PERFSH_ALLOC_HEADER_BYTES`.
struct perfsh_alloc_header {
  uint64_t magic;
  uint32_t version;
  uint32_t slot_count;  // a power of two
  uint64_t rate;        // mean bytes between samples, as perfsh asked for
  uint64_t head __attribute__((aligned(64)));  // next slot producers claim
  uint64_t tail __attribute__((aligned(64)));  // next slot the consumer reads
  uint64_t lost __attribute__((aligned(64)));  // records dropped because the ring was full
  uint64_t untracked;  // sampled blocks whose free cannot be seen (address table full)
  uint64_t processes;  // HELLO records written (processes that loaded the recorder)
};

#define PERFSH_ALLOC_HEADER_BYTES 4096u

/// Bytes of a ring with `slots` slots.
static inline uint64_t perfsh_alloc_ring_bytes(uint32_t slots) {
  return PERFSH_ALLOC_HEADER_BYTES + (uint64_t)slots * sizeof(struct perfsh_alloc_slot);
}

/// Consumer side (perfsh): memfd_create(name, 0) — inheritable across fork and exec, which
/// is the point — or -1 with errno set. (Swift's Glibc module hides memfd_create.)
static inline int perfsh_alloc_memfd(const char *name) { return (int)syscall(SYS_memfd_create, name, 0u); }

/// Consumer side (perfsh): writes a fresh header and slot sequences into `base`.
static inline void perfsh_alloc_ring_init(void *base, uint32_t slots, uint64_t rate) {
  struct perfsh_alloc_header *h = (struct perfsh_alloc_header *)base;
  struct perfsh_alloc_slot *s = (struct perfsh_alloc_slot *)((char *)base + PERFSH_ALLOC_HEADER_BYTES);
  for (uint32_t i = 0; i < slots; i++) s[i].sequence = i;
  h->version = PERFSH_ALLOC_VERSION;
  h->slot_count = slots;
  h->rate = rate;
  h->head = h->tail = h->lost = h->untracked = h->processes = 0;
  __atomic_store_n(&h->magic, PERFSH_ALLOC_MAGIC, __ATOMIC_RELEASE);
}

/// Consumer side: copies the next published record into `out`; 1 when one was read, 0 when
/// the ring is empty (or the next slot is still being written).
static inline int perfsh_alloc_ring_pop(void *base, struct perfsh_alloc_record *out) {
  struct perfsh_alloc_header *h = (struct perfsh_alloc_header *)base;
  struct perfsh_alloc_slot *s = (struct perfsh_alloc_slot *)((char *)base + PERFSH_ALLOC_HEADER_BYTES);
  uint64_t tail = h->tail;
  struct perfsh_alloc_slot *slot = &s[tail & (h->slot_count - 1)];
  if (__atomic_load_n(&slot->sequence, __ATOMIC_ACQUIRE) != tail + 1) return 0;
  *out = slot->record;
  if (out->frame_count > PERFSH_ALLOC_MAX_FRAMES) out->frame_count = PERFSH_ALLOC_MAX_FRAMES;
  __atomic_store_n(&slot->sequence, tail + h->slot_count, __ATOMIC_RELEASE);
  __atomic_store_n(&h->tail, tail + 1, __ATOMIC_RELEASE);
  return 1;
}

/// Consumer side: a counter of the header, read atomically (0 lost, 1 untracked, 2 processes).
static inline uint64_t perfsh_alloc_ring_counter(const void *base, int which) {
  const struct perfsh_alloc_header *h = (const struct perfsh_alloc_header *)base;
  const uint64_t *p = which == 0 ? &h->lost : which == 1 ? &h->untracked : &h->processes;
  return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/// Producer side: claims a slot; NULL (and `lost` counted) when the ring is full.
static inline struct perfsh_alloc_slot *perfsh_alloc_ring_claim(void *base, uint64_t *pos_out) {
  struct perfsh_alloc_header *h = (struct perfsh_alloc_header *)base;
  struct perfsh_alloc_slot *s = (struct perfsh_alloc_slot *)((char *)base + PERFSH_ALLOC_HEADER_BYTES);
  uint64_t mask = h->slot_count - 1;
  uint64_t pos = __atomic_load_n(&h->head, __ATOMIC_RELAXED);
  for (;;) {
    struct perfsh_alloc_slot *slot = &s[pos & mask];
    uint64_t seq = __atomic_load_n(&slot->sequence, __ATOMIC_ACQUIRE);
    int64_t diff = (int64_t)(seq - pos);
    if (diff == 0) {
      if (__atomic_compare_exchange_n(&h->head, &pos, pos + 1, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
        *pos_out = pos;
        return slot;
      }
    } else if (diff < 0) {
      __atomic_fetch_add(&h->lost, 1, __ATOMIC_RELAXED);
      return 0;
    } else {
      pos = __atomic_load_n(&h->head, __ATOMIC_RELAXED);
    }
  }
}

/// Producer side: publishes a slot filled after `perfsh_alloc_ring_claim`.
static inline void perfsh_alloc_ring_publish(struct perfsh_alloc_slot *slot, uint64_t pos) {
  __atomic_store_n(&slot->sequence, pos + 1, __ATOMIC_RELEASE);
}

#endif
