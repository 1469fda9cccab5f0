package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonValue;
import dev.jvisor.oci.json.JsonWriter;
import dev.jvisor.runsc.cli.BuildInfo;
import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.cli.UsageException;
import dev.jvisor.runsc.state.ContainerNotFoundException;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.StateStore;
import java.util.ArrayList;
import java.util.List;

/** {@code runsc list}: the containers under --root, as runc lists them. */
public final class ListCommand implements Subcommand {
    private Flag<String> format;
    private Flag<Boolean> quiet;

    @Override public String name() { return "list"; }
    @Override public String summary() { return "list the containers recorded under --root"; }
    @Override public String argsUsage() { return ""; }

    @Override
    public void defineFlags(FlagSet flags) {
        format = flags.string("format", "table|json", "table", "output format");
        flags.alias("f", format);
        quiet = flags.bool("quiet", "print only the container ids");
        flags.alias("q", quiet);
    }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        Invocation.requireArgs(args, 0, "no arguments");
        if (!format.get().equals("table") && !format.get().equals("json")) {
            throw new UsageException("invalid --format \"" + format.get() + "\": use table or json");
        }
        StateStore store = new StateStore(inv.root());
        List<ContainerRecord> records = new ArrayList<>();
        for (String id : store.ids()) {
            try {
                records.add(store.load(id));
            } catch (ContainerNotFoundException deletedMeanwhile) {
                // Deleted between listing and reading: no longer there to list.
            } catch (RunscException unreadable) {
                inv.log().warning(unreadable.getMessage());
            }
        }
        if (quiet.get()) {
            records.forEach(r -> inv.out().println(r.id()));
        } else if (format.get().equals("json")) {
            inv.out().println(JsonWriter.compact(new JsonArray(records.stream().<JsonValue>map(ListCommand::json).toList())));
        } else {
            inv.out().print(table(records));
        }
        return 0;
    }

    private static JsonObject json(ContainerRecord r) {
        var state = r.toOciState(BuildInfo.ociSpecVersion());
        return JsonObject.builder()
                .put("ociVersion", state.ociVersion())
                .put("id", r.id())
                .put("pid", state.pid())
                .put("status", state.status().specName())
                .put("bundle", r.bundle())
                .put("created", r.created().toString())
                .put("owner", r.owner())
                .build();
    }

    private static String table(List<ContainerRecord> records) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
        for (ContainerRecord r : records) {
            var state = r.toOciState(BuildInfo.ociSpecVersion());
            rows.add(new String[] {r.id(), Long.toString(state.pid()), state.status().specName(), r.bundle(),
                    r.created().toString(), r.owner()});
        }
        int[] widths = new int[6];
        for (String[] row : rows) for (int c = 0; c < 6; c++) widths[c] = Math.max(widths[c], row[c].length());
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            for (int c = 0; c < 6; c++) {
                sb.append(row[c]);
                if (c < 5) sb.repeat(" ", widths[c] - row[c].length() + 3);
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
