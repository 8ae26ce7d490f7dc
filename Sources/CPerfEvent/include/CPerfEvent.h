// CPerfEvent: the parts of the perf_event_open interface Swift cannot import.
// The variadic syscall() and the function-like PERF_EVENT_IOC_* macros do not import,
// so each is wrapped in a small prefixed function here. Struct layouts come from
// <linux/perf_event.h> directly (their bitfields import fine).
#ifndef PERFSH_CPERFEVENT_H
#define PERFSH_CPERFEVENT_H

#include <linux/perf_event.h>
#include <sys/types.h>

/// perf_event_open(2): returns a file descriptor or -1 with errno set.
int perfsh_perf_event_open(struct perf_event_attr *_Nonnull attr, pid_t pid, int cpu,
                           int group_fd, unsigned long flags);

/// ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)
int perfsh_perf_event_enable(int fd);
/// ioctl(fd, PERF_EVENT_IOC_DISABLE, 0)
int perfsh_perf_event_disable(int fd);
/// ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, target_fd): redirect fd's records into target's ring.
int perfsh_perf_event_set_output(int fd, int target_fd);

#endif
