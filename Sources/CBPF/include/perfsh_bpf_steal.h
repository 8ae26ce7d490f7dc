/* Reading a CPU's steal clock from a BPF program (trace.bpf, steal.bpf); compiled for the BPF
 * machine only (CBPF.h does not include it). See struct perfsh_steal_layout. */
#ifndef PERFSH_BPF_STEAL_H
#define PERFSH_BPF_STEAL_H
#ifdef __bpf__

/// Where this CPU's steal clock is (the address of its `struct kvm_steal_time`, found once per CPU)
/// and the value last read there.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct perfsh_steal_area);
} steal_area SEC(".maps");

/// This CPU's steal clock (ns), 0 where the kernel has none. The host writes it before the
/// virtual CPU runs again, so a read covers all the CPU's time up to now.
static __always_inline __u64 steal_now(const volatile struct perfsh_steal_layout *layout) {
  if (!layout->enabled) return 0;
  __u32 zero = 0;
  struct perfsh_steal_area *area = bpf_map_lookup_elem(&steal_area, &zero);
  if (!area) return 0;
  if (!area->address) {
    // The run queue of this CPU through the current task; the steal area is in the same per-CPU copy.
    __u64 task = bpf_get_current_task();
    __u64 cfs_rq = 0, rq = 0;
    if (bpf_probe_read_kernel(&cfs_rq, sizeof(cfs_rq), (void *)(task + layout->task_cfs_rq_offset)) || !cfs_rq)
      return 0;
    if (bpf_probe_read_kernel(&rq, sizeof(rq), (void *)(cfs_rq + layout->cfs_rq_rq_offset)) || !rq) return 0;
    area->address = rq + layout->rq_to_steal;
  }
  __u64 steal = 0;
  bpf_probe_read_kernel(&steal, sizeof(steal), (void *)area->address);
  area->last = steal;
  return steal;
}

#endif
#endif
