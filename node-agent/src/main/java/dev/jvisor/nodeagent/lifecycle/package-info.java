/**
 * The node agent's two procedures, install and uninstall, as ordered sequences of idempotent steps
 * over the host, containerd's config, containerd itself (restart, CRI checks) and the Node object,
 * driven by a journal on the host so that either can be resumed after a crash.
 */
package dev.jvisor.nodeagent.lifecycle;
