/**
 * The gofer filesystem: the Sentry's view of files the Gofer serves over 9P2000.L. Every inode
 * stands for a file on the Gofer (walked to a fid on demand); lookups are one-name Twalks,
 * listings Treaddir, file I/O Tread/Twrite on Tlopen'd fids, and every change a T-message, so
 * the Sentry itself never opens a container file. Whole-file copies may instead read a read-only
 * descriptor the Gofer lends for that one copy ({@link dev.jvisor.sentry.fs.gofer.LentFile}). In {@link GoferFs.CacheMode#EXCLUSIVE} mode
 * (the Sentry is the only writer) attributes and dentries are cached; in
 * {@link GoferFs.CacheMode#SHARED} mode they are revalidated on every use.
 */
package dev.jvisor.sentry.fs.gofer;
