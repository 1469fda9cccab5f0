/**
 * The node agent's entry point and settings: a DaemonSet process that installs jVisor on its node,
 * configures containerd for it, proves it works, labels the node, and undoes it all on removal.
 */
package dev.jvisor.nodeagent;
