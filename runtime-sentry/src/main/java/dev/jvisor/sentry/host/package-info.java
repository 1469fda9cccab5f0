/**
 * The Sentry's only door to the host kernel: every native call of the Sentry is made here,
 * through java.lang.foreign, and every failure leaves as a {@link dev.jvisor.sentry.host.HostException}
 * naming the call and its errno. Nothing above this package touches a raw errno; only
 * {@code platform} and {@code mm} hold raw addresses, and only of memory this package mapped.
 */
package dev.jvisor.sentry.host;
