/**
 * A container's filesystem layout beyond its root, as its OCI bundle asks for it: the
 * {@code mounts} (bind mounts of host files and directories, served by Gofers of their own;
 * tmpfs with its {@code size=}, {@code mode=}, {@code uid=}, {@code gid=}; proc, sysfs, devpts,
 * mqueue and a minimal read-only cgroup), a read-only root, {@code linux.maskedPaths} and
 * {@code linux.readonlyPaths}. Owns parsing and checking those settings ({@link MountSpec},
 * {@link ContainerMounts}) and building them inside the Sentry's VFS
 * ({@link ContainerFilesystems}); every destination is resolved inside the container's root, so
 * neither {@code ..} nor a symlink in it can place a mount outside.
 */
package dev.jvisor.sentry.mounts;
