/**
 * tmpfs: directories, regular files, symlinks, fifos and device nodes held in sandbox memory.
 * Also the upper layer of the root overlay, and /tmp.
 */
package dev.jvisor.sentry.fs.tmpfs;
