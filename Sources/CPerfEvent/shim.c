#include "CPerfEvent.h"

#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int perfsh_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
                           unsigned long flags) {
  return (int)syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
}

int perfsh_perf_event_enable(int fd) { return ioctl(fd, PERF_EVENT_IOC_ENABLE, 0); }
int perfsh_perf_event_disable(int fd) { return ioctl(fd, PERF_EVENT_IOC_DISABLE, 0); }
int perfsh_perf_event_set_output(int fd, int target_fd) {
  return ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, target_fd);
}
