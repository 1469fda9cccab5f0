/**
 * sysfs: the few files of /sys that libcs and language runtimes read to size themselves — the
 * CPU lists and per-CPU directories, transparent huge page mode — generated from what the
 * sandbox offers, never read from the host.
 */
package dev.jvisor.sentry.fs.sys;
