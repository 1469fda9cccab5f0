/**
 * The end-to-end run on a kind cluster ({@code kind-tests/kind-e2e.sh}) as a JUnit test: skipped,
 * with one line saying why, where Docker, kind, kubectl or helm is missing.
 */
package dev.jvisor.kind;
