/**
 * The container's host cgroup (v1, as on nodes whose controllers are mounted one per hierarchy
 * under /sys/fs/cgroup): where {@code linux.cgroupsPath} lives ({@link
 * dev.jvisor.runsc.cgroup.CgroupPath}), putting the sandbox's processes in it, applying
 * {@code linux.resources} (memory, pids, cpu shares and CFS quota) at create and on
 * {@code runsc update}, reading its statistics for {@code runsc events}, and removing it when
 * the container is deleted.
 */
package dev.jvisor.runsc.cgroup;
