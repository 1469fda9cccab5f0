/**
 * Talking to containerd the way kubelet does, over CRI on its unix socket: waiting for it to be
 * ready after a restart and proving the jVisor runtime handler runs a pod sandbox. The protocol
 * messages are generated from a CRI subset in {@code src/main/proto}.
 */
package dev.jvisor.nodeagent.cri;
