/** Filesystem implementations the VFS mounts: one subpackage per filesystem type. */
package dev.jvisor.sentry.fs;
