/**
 * Application address spaces. All application memory lives in one sparse memory file per
 * Sentry ({@link dev.jvisor.sentry.mm.MemoryFile}) that the Sentry maps once into itself and each
 * stub maps piecewise at the application's addresses, as gVisor does: the Sentry copies to and
 * from application memory with plain memory accesses, never a host syscall per access. An
 * {@link dev.jvisor.sentry.mm.AddressSpace} owns the VMAs (what is mapped where, with which
 * protection, backed by which part of the memory file), brk, mmap/munmap/mprotect/mremap, fork
 * copies, and the checked copy-in/copy-out that syscalls use. Private mappings of a file held in
 * memory share the file's pages until something would write them (copy-on-write per VMA).
 */
package dev.jvisor.sentry.mm;
