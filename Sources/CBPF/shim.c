#include "CBPF.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* libbpf's print hook is global: open and load hold this lock and point it at the caller's log. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_buffer;
static size_t log_size, log_used;

static int print_to_log(enum libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG || !log_buffer || log_used + 1 >= log_size) return 0;
  int written = vsnprintf(log_buffer + log_used, log_size - log_used, format, args);
  if (written > 0) log_used += (size_t)written < log_size - log_used ? (size_t)written : log_size - log_used - 1;
  return 0;
}

static void begin_log(char *log, size_t size) {
  pthread_mutex_lock(&log_lock);
  log_buffer = log;
  log_size = size;
  log_used = 0;
  if (log && size) log[0] = 0;
  libbpf_set_print(print_to_log);
}

static void end_log(void) {
  log_buffer = NULL;
  pthread_mutex_unlock(&log_lock);
}

int perfsh_bpf_open(const void *bytes, size_t size, const char *name, perfsh_bpf_object **out, char *log,
                    size_t log_size) {
  begin_log(log, log_size);
  LIBBPF_OPTS(bpf_object_open_opts, options, .object_name = name);
  struct bpf_object *object = bpf_object__open_mem(bytes, size, &options);
  int error = object ? 0 : (errno ? -errno : -EINVAL);
  end_log();
  if (error) return error;
  *out = (perfsh_bpf_object *)object;
  return 0;
}

int perfsh_bpf_set_rodata(perfsh_bpf_object *object, const void *bytes, size_t size) {
  struct bpf_map *map;
  bpf_object__for_each_map(map, (struct bpf_object *)object) {
    const char *name = bpf_map__name(map);
    size_t length = strlen(name);
    if (length >= 7 && strcmp(name + length - 7, ".rodata") == 0) return bpf_map__set_initial_value(map, bytes, size);
  }
  return -ENOENT;
}

int perfsh_bpf_set_map_entries(perfsh_bpf_object *object, const char *name, unsigned entries) {
  struct bpf_map *map = bpf_object__find_map_by_name((struct bpf_object *)object, name);
  if (!map) return -ENOENT;
  return bpf_map__set_max_entries(map, entries);
}

int perfsh_bpf_reuse_map(perfsh_bpf_object *object, const char *name, int map_fd) {
  struct bpf_map *map = bpf_object__find_map_by_name((struct bpf_object *)object, name);
  if (!map) return -ENOENT;
  return bpf_map__reuse_fd(map, map_fd);
}

int perfsh_bpf_load(perfsh_bpf_object *object, char *log, size_t log_size) {
  begin_log(log, log_size);
  int error = bpf_object__load((struct bpf_object *)object);
  end_log();
  return error;
}

void perfsh_bpf_close(perfsh_bpf_object *object) { bpf_object__close((struct bpf_object *)object); }

int perfsh_bpf_map_fd(perfsh_bpf_object *object, const char *name) {
  struct bpf_map *map = bpf_object__find_map_by_name((struct bpf_object *)object, name);
  return map ? bpf_map__fd(map) : -ENOENT;
}

static int finish_link(struct bpf_link *link, perfsh_bpf_link **out) {
  int error = libbpf_get_error(link);
  if (error) return error < 0 ? error : -error;
  *out = (perfsh_bpf_link *)link;
  return 0;
}

int perfsh_bpf_attach_perf_event(perfsh_bpf_object *object, const char *name, int perf_fd, unsigned long long cookie,
                                 perfsh_bpf_link **out) {
  struct bpf_program *program = bpf_object__find_program_by_name((struct bpf_object *)object, name);
  if (!program) return -ENOENT;
  LIBBPF_OPTS(bpf_perf_event_opts, options, .bpf_cookie = cookie);
  /* libbpf's perf-event link owns the descriptor it is given: bpf_link__destroy closes it. The
   * caller keeps owning perf_fd (and closes it itself), so the link gets a duplicate; else the
   * caller's close would be a second one, and a link destroyed on another thread could close
   * whatever descriptor reused that number in between. */
  int owned = fcntl(perf_fd, F_DUPFD_CLOEXEC, 0);
  if (owned < 0) return -errno;
  struct bpf_link *link = bpf_program__attach_perf_event_opts(program, owned, &options);
  int error = finish_link(link, out);
  if (error) close(owned);
  return error;
}

int perfsh_bpf_attach_tracepoint(perfsh_bpf_object *object, const char *name, const char *category,
                                 const char *event, perfsh_bpf_link **out) {
  struct bpf_program *program = bpf_object__find_program_by_name((struct bpf_object *)object, name);
  if (!program) return -ENOENT;
  return finish_link(bpf_program__attach_tracepoint(program, category, event), out);
}

int perfsh_bpf_attach_raw_tracepoint(perfsh_bpf_object *object, const char *name, const char *event,
                                     perfsh_bpf_link **out) {
  struct bpf_program *program = bpf_object__find_program_by_name((struct bpf_object *)object, name);
  if (!program) return -ENOENT;
  return finish_link(bpf_program__attach_raw_tracepoint(program, event), out);
}

void perfsh_bpf_link_destroy(perfsh_bpf_link *link) { bpf_link__destroy((struct bpf_link *)link); }

int perfsh_bpf_map_lookup(int map_fd, const void *key, void *value) {
  return bpf_map_lookup_elem(map_fd, key, value) ? -errno : 0;
}

int perfsh_bpf_map_update(int map_fd, const void *key, const void *value, unsigned long long flags) {
  return bpf_map_update_elem(map_fd, key, value, flags) ? -errno : 0;
}

int perfsh_bpf_map_delete(int map_fd, const void *key) { return bpf_map_delete_elem(map_fd, key) ? -errno : 0; }

int perfsh_bpf_map_next_key(int map_fd, const void *key, void *next) {
  return bpf_map_get_next_key(map_fd, key, next) ? -errno : 0;
}

int perfsh_bpf_possible_cpus(void) { return libbpf_num_possible_cpus(); }
