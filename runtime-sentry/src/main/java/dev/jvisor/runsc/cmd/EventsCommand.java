package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonWriter;
import dev.jvisor.runsc.cgroup.CgroupException;
import dev.jvisor.runsc.cgroup.CgroupV1;
import dev.jvisor.runsc.cgroup.ContainerCgroup;
import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.cli.UsageException;
import dev.jvisor.runsc.state.StateStore;
import java.time.Duration;
import java.util.List;

/**
 * {@code runsc events [--stats] [--interval D] ID}: the container's resource statistics from its
 * cgroup, one JSON line each, as runc prints them ({@code {"type":"stats","id":…,"data":{…}}}):
 * once with --stats, otherwise every interval until the container stops.
 */
public final class EventsCommand implements Subcommand {
    private Flag<Boolean> stats;
    private Flag<String> interval;

    @Override public String name() { return "events"; }
    @Override public String summary() { return "print a container's resource statistics as JSON lines"; }
    @Override public String argsUsage() { return "<container-id>"; }

    @Override
    public void defineFlags(FlagSet flags) {
        stats = flags.bool("stats", "print the statistics once and exit");
        interval = flags.string("interval", "DURATION", "5s", "how often to print them (e.g. 500ms, 5s, 1m)");
    }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        Invocation.requireArgs(args, 1, "<container-id>");
        String id = args.getFirst();
        Duration every = parseDuration(interval.get());
        StateStore store = new StateStore(inv.root());
        if (store.load(id).currentStatus() == ContainerStatus.STOPPED) throw new RunscException("container not running");
        CgroupV1 cgroup = ContainerCgroup.of(store.root().resolve(id))
                .orElseThrow(() -> new CgroupException("container " + id + " has no cgroup (its config named no cgroupsPath)"));
        while (true) {
            JsonObject event = JsonObject.builder().put("type", "stats").put("id", id).put("data", cgroup.stats()).build();
            inv.out().println(JsonWriter.compact(event));
            inv.out().flush();
            if (stats.get()) return 0;
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
            if (store.load(id).currentStatus() == ContainerStatus.STOPPED) return 0;
        }
    }

    /** A Go duration of one unit: {@code 250ms}, {@code 5s}, {@code 1m}. */
    static Duration parseDuration(String s) throws UsageException {
        try {
            Duration d;
            if (s.endsWith("ms")) d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            else if (s.endsWith("s")) d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            else if (s.endsWith("m")) d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            else throw new NumberFormatException();
            if (d.isNegative() || d.isZero()) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException("invalid --interval \"" + s + "\": use a positive duration like 500ms, 5s or 1m");
        }
    }
}
