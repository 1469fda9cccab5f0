/**
 * tmpfs: directories, regular files, symlinks, fifos and device nodes held in sandbox memory.
 * Also the root filesystem of {@code runsc do --rootfs} until the Gofer serves it.
 */
package dev.jvisor.sentry.fs.tmpfs;
