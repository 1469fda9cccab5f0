package dev.jvisor.runsc.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A host process identified by pid and start time, so a recorded pid that the kernel has since
 * reused for another process is never taken for the container (and never signalled).
 */
public record HostProcess(long pid, long startTime) {

    /** The process now running as {@code pid}, if any. */
    public static Optional<HostProcess> of(long pid) {
        OptionalLong start = startTime(pid);
        return start.isPresent() ? Optional.of(new HostProcess(pid, start.getAsLong())) : Optional.empty();
    }

    /**
     * Whether this very process still runs. A zombie does not, as for runc: its parent may be a
     * reaper that is slow or never reaps (an exited waiter re-parented to a pid 1 that does not).
     */
    public boolean isAlive() {
        OptionalLong now = startTime(pid);
        return now.isPresent() && now.getAsLong() == startTime && !isZombie(pid);
    }

    /** State Z (zombie) or X (dead) in {@code /proc/PID/stat}; a process that is gone counts too. */
    static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            int close = stat.lastIndexOf(')');
            if (close < 0 || close + 2 >= stat.length()) return true;
            char state = stat.charAt(close + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException gone) {
            return true;
        }
    }

    /**
     * Field 22 of {@code /proc/PID/stat} (proc(5) "starttime", clock ticks after boot). The
     * command name (field 2) may hold spaces and parentheses, so fields are counted from the
     * last ')'.
     */
    static OptionalLong startTime(long pid) {
        if (pid <= 0) return OptionalLong.empty();
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        } catch (IOException goneOrUnreadable) {
            // No such process (or not ours to see): either way not a process we can vouch for.
            return OptionalLong.empty();
        }
        int close = stat.lastIndexOf(')');
        if (close < 0) return OptionalLong.empty();
        String[] fields = stat.substring(close + 2).split(" ");
        // fields[0] is field 3 (state), so field 22 is fields[19].
        if (fields.length < 20) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(fields[19]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
