package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.Signal;

/** struct sigaction as rt_sigaction(2) takes it on x86-64: handler, flags, restorer, mask. */
public record SigAction(long handler, long flags, long restorer, long mask) {
    public static final SigAction DEFAULT = new SigAction(Signal.SIG_DFL, 0, 0, 0);

    public boolean isDefault() { return handler == Signal.SIG_DFL; }
    public boolean isIgnore() { return handler == Signal.SIG_IGN; }
    public boolean has(long flag) { return (flags & flag) != 0; }
}
