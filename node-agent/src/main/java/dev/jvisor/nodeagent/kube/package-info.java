/**
 * The Kubernetes side of the node agent (fabric8): reading this node's containerd version,
 * labelling it ready (and lifting startup taints) once the runtime is proven, and telling a
 * DaemonSet removal (uninstall) from a restart or rolling update (keep).
 */
package dev.jvisor.nodeagent.kube;
