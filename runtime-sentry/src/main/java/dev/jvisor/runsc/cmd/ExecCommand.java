package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.oci.OciConfigException;
import dev.jvisor.oci.OciConfigReader;
import dev.jvisor.oci.OciSpec;
import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.oci.json.JsonSyntaxException;
import dev.jvisor.oci.json.JsonWriter;
import dev.jvisor.runsc.cli.Flag;
import dev.jvisor.runsc.cli.FlagSet;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.IoErrors;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.cli.Subcommand;
import dev.jvisor.runsc.cli.UsageException;
import dev.jvisor.runsc.control.AttachedProcess;
import dev.jvisor.runsc.control.ControlClient;
import dev.jvisor.runsc.control.ControlException;
import dev.jvisor.runsc.control.ControlProtocol;
import dev.jvisor.runsc.control.IdentityMessage;
import dev.jvisor.runsc.control.SandboxAddress;
import dev.jvisor.runsc.control.WaiterLauncher;
import dev.jvisor.runsc.lifecycle.ConsoleSocket;
import dev.jvisor.runsc.lifecycle.OciProcessIdentity;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.StateStore;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.HostTty;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code runsc exec --process P.json [--detach --pid-file F] ID}, or {@code runsc exec ID CMD
 * [ARG…]}: runs another process in a running container's Sentry, with exec's own fds 0, 1 and
 * 2 as its stdio, or, when the process has {@code terminal} set, on a new pty whose master goes
 * to {@code --console-socket} as create's does ({@link ConsoleSocket}) and whose slave becomes
 * a terminal of the process's own in the sandbox (/dev/pts/N, controlling its session). P is
 * deleted as soon as it is read, as the containerd shim expects. With
 * --detach, the pid in F is a small waiter process that outlives exec, passes on the signals it
 * gets and exits with the process's status; if it is killed, so is the process. Without,
 * exec itself waits and exits with that status.
 */
public final class ExecCommand implements Subcommand {
    private Flag<String> process;
    private Flag<String> pidFile;
    private Flag<String> consoleSocket;
    private Flag<Boolean> detach;
    private Flag<String> cwd;

    @Override public String name() { return "exec"; }
    @Override public String summary() { return "run another process in a running container"; }
    @Override public String argsUsage() { return "<container-id> [command [args...]]"; }

    @Override
    public void defineFlags(FlagSet flags) {
        process = flags.string("process", "FILE", "", "the process.json to run (deleted once read)");
        pidFile = flags.string("pid-file", "FILE", "", "write the exec'd process's host pid (its waiter) here");
        consoleSocket = flags.string("console-socket", "SOCKET", "", "unix socket to send the terminal's master fd to");
        detach = flags.bool("detach", "return once the process runs");
        flags.alias("d", detach);
        cwd = flags.string("cwd", "DIR", "/", "working directory of a command given on the command line");
    }

    @Override
    public int execute(Invocation inv, List<String> args) throws RunscException {
        if (args.isEmpty()) throw new UsageException("expected <container-id> [command [args...]]");
        String id = args.getFirst();
        OciSpec.Process proc = readProcess(inv, args.subList(1, args.size()));
        ContainerRecord record = new StateStore(inv.root()).load(id);
        ContainerStatus status = record.currentStatus();
        if (status != ContainerStatus.RUNNING) {
            throw new RunscException("cannot exec in container " + id + ": it is " + status.specName() + ", not running");
        }
        if (proc.terminal() && consoleSocket.get().isEmpty()) {
            throw new RunscException("exec: process.terminal is set: exec needs --console-socket to hand the terminal to");
        }
        if (!proc.terminal() && !consoleSocket.get().isEmpty()) throw new RunscException("exec: --console-socket needs process.terminal");
        Path consolePath = proc.terminal() ? Invocation.hostPath("console-socket", consoleSocket.get()).toAbsolutePath() : null;
        Path pidPath = pidFile.get().isEmpty() ? null : Invocation.hostPath("pid-file", pidFile.get()).toAbsolutePath();

        SandboxAddress address;
        try {
            address = SandboxAddress.of(inv.root(), id);
        } catch (IOException e) {
            throw new RunscException("cannot find the sandbox of container " + id + ": " + IoErrors.reason(e), e);
        }
        JsonObject request = IdentityMessage.put(ControlProtocol.request(ControlProtocol.EXEC).put("container", address.container())
                .put("argv", JsonArray.ofStrings(proc.args()))
                .put("env", JsonArray.ofStrings(proc.env()))
                .put("cwd", proc.cwd() == null || proc.cwd().isEmpty() ? "/" : proc.cwd())
                .put("terminal", proc.terminal()), OciProcessIdentity.of(proc)).build();
        ControlClient client;
        try {
            client = ControlClient.connect(address.stateDir());
        } catch (IOException e) {
            throw new RunscException("container not running: " + IoErrors.reason(e), e);
        }
        // Without --detach, exec itself stands for the process: signals that come while it is
        // being started are held and passed on once it runs.
        AttachedProcess attached = detach.get() ? null : AttachedProcess.of(client);
        if (attached != null) attached.forwardSignals();
        try {
            JsonObject ok = consolePath == null ? client.call(request, 0, 1, 2) : callOnTerminal(client, request, consolePath, proc);
            long pid = ok.get("pid") instanceof JsonNumber n ? n.longValueExact().orElse(0) : 0;
            if (inv.log().debugEnabled()) inv.log().debug("exec'd pid " + pid + " in container " + id);
            if (detach.get()) {
                // On a terminal exec's own stdout and stderr are a pipe the shim reads to its end
                // once exec returns: a waiter holding it would keep the shim waiting for its exit.
                int waiter = consolePath == null ? WaiterLauncher.spawn(client.fd()) : WaiterLauncher.spawnQuiet(client.fd());
                if (pidPath != null) CreateCommand.writePidFile(pidPath, waiter);
                return 0;
            }
            if (pidPath != null) CreateCommand.writePidFile(pidPath, ProcessHandle.current().pid());
            attached.started();
            return attached.awaitExit();
        } catch (ControlException e) {
            throw new RunscException("exec failed: " + e.getMessage(), e);
        } catch (IOException | IllegalStateException e) {
            throw new RunscException("exec failed: " + e.getMessage(), e);
        } finally {
            client.close();
        }
    }

    /**
     * Sends the exec request with a new host pty's slave as the process's terminal; its master
     * has gone to the console socket first. Once the sandbox answers it holds the slave itself,
     * and this process lets go of its copies.
     */
    private static JsonObject callOnTerminal(ControlClient client, JsonObject request, Path consolePath, OciSpec.Process proc)
            throws RunscException, ControlException, IOException {
        try (ConsoleSocket console = ConsoleSocket.connect(consolePath, proc.consoleSize())) {
            int slave;
            try {
                slave = HostTty.openTerminal(console.slavePath());
            } catch (HostException e) {
                throw new RunscException("cannot open the exec'd process's terminal " + console.slavePath() + ": " + e.getMessage(), e);
            }
            try {
                return client.call(request, slave);
            } finally {
                Host.close(slave);
            }
        }
    }

    /** The process to run: from --process (then deleted), or from the command line. */
    private OciSpec.Process readProcess(Invocation inv, List<String> command) throws RunscException {
        if (process.get().isEmpty()) {
            if (command.isEmpty()) throw new UsageException("exec needs --process or a command");
            return new OciSpec.Process(false, null, command, List.of(DoCommand.DEFAULT_PATH), cwd.get(),
                    null, List.of(), false);
        }
        if (!command.isEmpty()) throw new UsageException("exec takes --process or a command, not both");
        Path file = Invocation.hostPath("process", process.get());
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length > OciConfigReader.MAX_CONFIG_BYTES) throw new RunscException("--process " + file + " is too large");
            return parseProcess(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RunscException("cannot read --process " + file + ": " + IoErrors.reason(e), e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                inv.log().warning("cannot delete --process " + file + ": " + IoErrors.reason(e));
            }
        }
    }

    /** A process.json (the OCI config's process member alone), checked as config.json's is. */
    static OciSpec.Process parseProcess(String text) throws RunscException {
        try {
            if (!(JsonParser.parse(text) instanceof JsonObject p)) throw new RunscException("--process: not a JSON object");
            String config = JsonWriter.compact(JsonObject.builder().put("ociVersion", "1.0.2").put("process", p).build());
            OciSpec.Process proc = OciConfigReader.parse(config).process();
            if (proc.args().isEmpty()) throw new RunscException("--process: args: must name a program");
            return proc;
        } catch (JsonSyntaxException e) {
            throw new RunscException("--process: not valid JSON: " + e.getMessage(), e);
        } catch (OciConfigException e) {
            throw new RunscException("--process: " + e.getMessage(), e);
        }
    }
}
