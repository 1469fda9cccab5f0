package dev.jvisor.runsc.control;

import static dev.jvisor.runsc.control.ControlException.Code.EXEC_FAILED;
import static dev.jvisor.runsc.control.ControlException.Code.NO_SUCH_CONTAINER;
import static dev.jvisor.runsc.control.ControlException.Code.WRONG_STATE;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.sentry.RunningSandbox;
import dev.jvisor.sentry.Sandbox;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The control channel of a created sandbox, from create on: the boot process listens as soon as
 * it is up, so that {@code runsc start} is one request on the same channel every later command
 * uses. Before start it answers {@code start} and {@code state} of its own container only;
 * {@code start} boots the Sentry with the container's program and answers once that program
 * runs; from then on every request goes to the running sandbox's handler. A failed boot is
 * answered to the one start that asked (its message is start's error) and ends the gate.
 */
public final class StartGate implements ControlHandler {
    private final String container;
    private final Supplier<RunningSandbox> boot;
    private final Function<RunningSandbox, ControlHandler> running;
    /** Completes with the booted sandbox, or exceptionally with why it could not boot. */
    private final CompletableFuture<RunningSandbox> started = new CompletableFuture<>();
    private volatile ControlHandler delegate;
    private boolean startRequested;

    /**
     * @param container the container whose program is the sandbox's pid 1
     * @param boot      boots the sandbox (throws {@link Sandbox.SandboxException} when it cannot)
     * @param running   the handler that serves the sandbox once it runs
     */
    public StartGate(String container, Supplier<RunningSandbox> boot, Function<RunningSandbox, ControlHandler> running) {
        this.container = container;
        this.boot = boot;
        this.running = running;
    }

    /**
     * Waits for a start request and the boot it runs.
     *
     * @throws Sandbox.SandboxException if the sandbox could not boot (start was told why)
     */
    public RunningSandbox awaitStart() throws InterruptedException {
        try {
            return started.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Sandbox.SandboxException s) throw s;
            throw new Sandbox.SandboxException("boot failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public boolean handle(ControlConnection.Frame request, ControlConnection conn) throws IOException {
        ControlHandler after = delegate;
        if (after != null) return after.handle(request, conn);
        ControlConnection.closeAll(request.fds());
        try {
            JsonObject o = request.body();
            String op = ControlProtocol.string(o, "op");
            ControlProtocol.onlyMembers(o, Set.of("container"));
            String name = ControlProtocol.string(o, "container");
            if (!name.equals(container)) throw new ControlException(NO_SUCH_CONTAINER, "container " + name + " does not exist in this sandbox");
            switch (op) {
                case ControlProtocol.START -> {
                    RunningSandbox sandbox = start();
                    try {
                        conn.write(ControlProtocol.ok(JsonObject.builder().put("pid", sandbox.primary().first().pid()).build()));
                    } finally {
                        // Only now may the boot process go on: a program that exits at once would
                        // otherwise let it close the sandbox before start's caller has its answer.
                        started.complete(sandbox);
                    }
                }
                case ControlProtocol.STATE -> conn.write(ControlProtocol.ok(JsonObject.builder()
                        .put("started", false).put("running", false).put("paused", false).build()));
                default -> throw new ControlException(WRONG_STATE, "container not running");
            }
        } catch (ControlException e) {
            conn.write(ControlProtocol.error(e.code(), e.getMessage()));
        }
        return false;
    }

    /**
     * Boots the sandbox for the first start request (a second one is refused); the caller answers
     * it and then releases {@link #awaitStart}.
     */
    private RunningSandbox start() throws ControlException {
        synchronized (this) {
            if (startRequested) throw new ControlException(WRONG_STATE, "container " + container + " is already started");
            startRequested = true;
        }
        RunningSandbox sandbox;
        try {
            sandbox = boot.get();
        } catch (RuntimeException e) {
            // Whatever went wrong, the boot process must learn it too: it waits in awaitStart.
            started.completeExceptionally(e instanceof Sandbox.SandboxException s ? s : new Sandbox.SandboxException(e.getMessage(), e));
            throw new ControlException(EXEC_FAILED, "sandbox: " + e.getMessage(), e);
        }
        // Requests that come from now on (exec, kill, a pod's containers) find the sandbox.
        delegate = running.apply(sandbox);
        return sandbox;
    }
}
