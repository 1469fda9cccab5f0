package dev.jvisor.sentry.fs.overlay;

/** An overlay inode that stands for a file of the lower layer (its removal leaves a whiteout). */
interface LowerBacked {
}
