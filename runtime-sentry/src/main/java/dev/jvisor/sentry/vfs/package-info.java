/**
 * The virtual filesystem: inodes, directories and their parent links, the mount table, path
 * resolution (symlinks, {@code ..}, mount crossings), open file descriptions and fd tables.
 * Filesystems ({@code dev.jvisor.sentry.fs.*}) supply inodes and file implementations; nothing
 * here touches the host.
 */
package dev.jvisor.sentry.vfs;
