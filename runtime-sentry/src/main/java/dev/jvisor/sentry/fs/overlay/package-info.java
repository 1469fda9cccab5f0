/**
 * The root overlay (gVisor's {@code --overlay2=root:memory}): a read-only lower tree served by
 * the Gofer and an upper layer in sandbox memory. A directory's lower entries are read once, on
 * first use, into an in-memory directory; from then on creations, removals (the whiteouts) and
 * renames change only that memory. Metadata changes live in the overlay inode; a file's content
 * is copied up into tmpfs memory on the first open for writing or truncation (or, within the
 * page-cache budget, on the first open), with pread on a descriptor the Gofer lends for the copy
 * when it does, else through Tread. The host files are never written.
 */
package dev.jvisor.sentry.fs.overlay;
