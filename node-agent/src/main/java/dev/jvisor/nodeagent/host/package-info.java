/**
 * The host filesystem as the agent reaches it through the host-root mount: path mapping, the host
 * lock that serialises agents on one node, crash-safe file writes, and installing the runtime
 * distribution into a versioned directory with a stable {@code current} link.
 */
package dev.jvisor.nodeagent.host;
