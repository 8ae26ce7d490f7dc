/* BPF loading through libbpf (libbpf-dev): the few calls perfsh needs, with plain types so
 * Swift sees no libbpf structures. Every int return is 0 (or a descriptor) on success and a
 * negative errno on failure. Only Sources/Capture/BPF/BPFObject.swift imports this module. */
#ifndef PERFSH_CBPF_H
#define PERFSH_CBPF_H

#include <stddef.h>
#include "perfsh_bpf_shared.h"

typedef struct perfsh_bpf_object perfsh_bpf_object;
typedef struct perfsh_bpf_link perfsh_bpf_link;

/* Opens an object from its ELF bytes (copied). Messages of libbpf go to `log`. */
int perfsh_bpf_open(const void *bytes, size_t size, const char *name, perfsh_bpf_object **out,
                    char *log, size_t log_size);
/* Sets the initial bytes of the object's `.rodata` (its `const volatile` globals); before load. */
int perfsh_bpf_set_rodata(perfsh_bpf_object *object, const void *bytes, size_t size);
/* Sets the number of entries of a map; before load. */
int perfsh_bpf_set_map_entries(perfsh_bpf_object *object, const char *map, unsigned entries);
/* Makes the object use an existing map (a descriptor of another loaded object's map of the same
 * definition) for its map `map` instead of creating one; before load. */
int perfsh_bpf_reuse_map(perfsh_bpf_object *object, const char *map, int map_fd);
/* Loads every program into the kernel (the verifier's complaints go to `log`). */
int perfsh_bpf_load(perfsh_bpf_object *object, char *log, size_t log_size);
void perfsh_bpf_close(perfsh_bpf_object *object);

/* The descriptor of a map by name, or -ENOENT. */
int perfsh_bpf_map_fd(perfsh_bpf_object *object, const char *map);
/* Attaches a program to an open perf event (a uprobe/tracepoint event) with a cookie the
 * program reads with bpf_get_attach_cookie. */
int perfsh_bpf_attach_perf_event(perfsh_bpf_object *object, const char *program, int perf_fd,
                                 unsigned long long cookie, perfsh_bpf_link **out);
/* Attaches a tracepoint program (e.g. "sched", "sched_switch"): runs on every CPU. */
int perfsh_bpf_attach_tracepoint(perfsh_bpf_object *object, const char *program, const char *category,
                                 const char *name, perfsh_bpf_link **out);
/* Runs program `name` on the raw tracepoint `event` (its arguments as they are, no record formatted). */
int perfsh_bpf_attach_raw_tracepoint(perfsh_bpf_object *object, const char *name, const char *event,
                                     perfsh_bpf_link **out);
void perfsh_bpf_link_destroy(perfsh_bpf_link *link);

int perfsh_bpf_map_lookup(int map_fd, const void *key, void *value);
int perfsh_bpf_map_update(int map_fd, const void *key, const void *value, unsigned long long flags);
int perfsh_bpf_map_delete(int map_fd, const void *key);
/* The key after `key` (NULL: the first), or -ENOENT at the end. */
int perfsh_bpf_map_next_key(int map_fd, const void *key, void *next);
/* Possible CPUs: per-CPU maps return this many values per key. */
int perfsh_bpf_possible_cpus(void);

#endif
