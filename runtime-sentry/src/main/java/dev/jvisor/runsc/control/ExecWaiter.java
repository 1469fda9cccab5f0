package dev.jvisor.runsc.control;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.SocketChannel;

/**
 * The host process that stands for a process started in a sandbox ({@code runsc exec
 * --detach}, a pod's container): its pid is what the containerd shim waits on. It inherits the
 * control connection that holds the process as its fd 0, passes on the host signals it gets,
 * and exits with the process's status (128+N after signal N). If it is killed, the connection
 * closes and the sandbox kills the process.
 *
 * <p>Kept small on purpose: no native code and no runsc classes beyond the framing, so an
 * interpreted JVM with a tiny heap starts it quickly ({@link WaiterLauncher}).
 */
public final class ExecWaiter {
    private ExecWaiter() {}

    public static void main(String[] args) {
        Channel inherited;
        try {
            inherited = System.inheritedChannel();
        } catch (IOException e) {
            inherited = null;
        }
        if (!(inherited instanceof SocketChannel channel)) {
            System.err.println("jvisor exec waiter: fd 0 is not the sandbox's control connection");
            System.exit(AttachedProcess.LOST);
            return;
        }
        AttachedProcess process = new AttachedProcess(new ControlConnection(new ChannelTransport(channel)));
        process.started();
        process.forwardSignals();
        // Tells the launcher that signals are forwarded from now on; nothing else is ever written here.
        System.out.println(WaiterLauncher.READY);
        System.out.close();
        System.exit(process.awaitExit());
    }
}
