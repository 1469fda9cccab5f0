/**
 * containerd configuration: deciding which files to change for this node's containerd (plain
 * containerd with config schema 2 or 3, k3s, rke2), adding the jVisor runtime handler to them
 * without disturbing a byte of the user's text, and undoing that exactly.
 *
 * <p>TOML is read with tomlj; the agent never re-serialises a user's file. It appends its own
 * tables or inserts one array element at a position the parser reports, then parses the result to
 * prove it reads as intended. Originals are kept as {@code .jvisor.bak} files (or a
 * {@code .jvisor.created} marker), which is what makes uninstall byte-exact and crash-safe.
 */
package dev.jvisor.nodeagent.containerd;
