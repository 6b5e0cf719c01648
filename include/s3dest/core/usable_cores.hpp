// How many cores this process may really use: the CPUs its affinity mask allows
// (taskset, a container's cpuset) and, where a cgroup v2 quota is set (a container's
// `--cpus 2` on a 96-core node), no more than that quota. std::thread::hardware_concurrency
// counts the machine's cores, which would start 96 threads, each with its buffers, in a
// container given two.
#pragma once

#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <thread>

namespace s3dest {

inline int usable_cores() {
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
#ifdef CPU_COUNT
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (::sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) > 0)
    cores = std::min(cores, CPU_COUNT(&allowed));
#endif
  // "max 100000" (no quota) or "<quota> <period>": quota / period cores, rounded up.
  if (std::FILE* file = std::fopen("/sys/fs/cgroup/cpu.max", "r")) {
    long long quota = 0, period = 0;
    if (std::fscanf(file, "%lld %lld", &quota, &period) == 2 && quota > 0 && period > 0)
      cores = std::min(cores, static_cast<int>(std::max(1LL, (quota + period - 1) / period)));
    std::fclose(file);
  }
  return cores;
}

}  // namespace s3dest
