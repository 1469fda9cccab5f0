package dev.jvisor.gofer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Starts {@link GoferMain} in a child JVM on a socket that belongs to the parent test JVM.
 * Java cannot hand a child any descriptor beyond 0-2, so the child fetches it itself with
 * {@code pidfd_getfd(2)}, the way a debugger would; runsc passes the descriptor directly.
 *
 * <p>Arguments: parent-pid parent-fd gofer-arguments... ("--fd" is added).
 */
public final class GoferChildLauncher {
    // syscall_64.tbl
    private static final int SYS_PIDFD_OPEN = 434;
    private static final int SYS_PIDFD_GETFD = 438;

    private GoferChildLauncher() {}

    public static void main(String[] args) throws Exception {
        int pidfd = (int) Native.call("pidfd_open", SYS_PIDFD_OPEN, Long.parseLong(args[0]), 0);
        int fd = (int) Native.call("pidfd_getfd", SYS_PIDFD_GETFD, pidfd, Integer.parseInt(args[1]), 0);
        Native.closeQuietly(pidfd);
        List<String> goferArgs = new ArrayList<>(List.of("--fd", Integer.toString(fd)));
        goferArgs.addAll(Arrays.asList(args).subList(2, args.length));
        System.exit(GoferMain.run(goferArgs.toArray(String[]::new)));
    }
}
