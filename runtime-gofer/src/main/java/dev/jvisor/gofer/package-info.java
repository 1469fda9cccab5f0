/**
 * The Gofer: the only jVisor process that opens container files. It serves a container's root
 * filesystem and bind mounts over 9P2000.L ({@link dev.jvisor.gofer.GoferFileServer}), resolving
 * every name one component at a time beneath the mount root with openat2
 * (RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_XDEV) and doing all I/O
 * through the resulting descriptors, refuses changes to read-only mounts with EROFS, and confines
 * itself with chroot and a seccomp filter of its own ({@link dev.jvisor.gofer.GoferMain}). For
 * jVisor's Tdonatefd it lends read-only descriptors of regular files only, reopened from the
 * node's own walked descriptor.
 *
 * <p>Host system calls go through the package-private {@code Native} class only.
 */
package dev.jvisor.gofer;
