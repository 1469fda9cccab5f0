/**
 * Container state under {@code --root}: one directory per container holding {@code state.json}
 * (a {@link dev.jvisor.runsc.state.ContainerRecord}) and a lock file.
 *
 * <p>Several runsc processes act on one container at once (the shim's {@code delete} and its
 * cleanup binary's {@code delete --force} race every time), so every read-modify-write happens
 * under an exclusive {@code flock}-style lock ({@link dev.jvisor.runsc.state.ContainerLock}),
 * writes are atomic (temporary file, fsync, rename), container ids are validated before they
 * touch a path, and symlinks inside the state directory are never followed.
 */
package dev.jvisor.runsc.state;
