package dev.jvisor.runsc.cmd;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.runsc.cli.IoErrors;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.control.ControlException;
import dev.jvisor.runsc.control.SandboxAddress;
import java.io.IOException;
import java.util.function.UnaryOperator;

/** Control requests as subcommands make them: failures become the errors the shim understands. */
final class ControlCalls {
    private ControlCalls() {}

    static SandboxAddress address(Invocation inv, String id) throws RunscException {
        try {
            return SandboxAddress.of(inv.root(), id);
        } catch (IOException e) {
            throw new RunscException("cannot find the sandbox of container " + id + ": " + IoErrors.reason(e), e);
        }
    }

    static JsonObject call(SandboxAddress address, String op, UnaryOperator<JsonObject.Builder> members) throws RunscException {
        try {
            return address.call(op, members);
        } catch (ControlException e) {
            if (e.code() == ControlException.Code.WRONG_STATE || e.code() == ControlException.Code.CONNECTION_CLOSED) {
                throw new RunscException("container not running", e);
            }
            if (e.code() == ControlException.Code.NO_SUCH_CONTAINER) throw new RunscException("container does not exist", e);
            throw new RunscException(op + ": " + e.getMessage(), e);
        } catch (IOException e) {
            // The socket is gone: the sandbox exited between the state check and the call.
            throw new RunscException("container not running", e);
        }
    }
}
