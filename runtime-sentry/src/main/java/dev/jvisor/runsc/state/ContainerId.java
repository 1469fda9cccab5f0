package dev.jvisor.runsc.state;

import dev.jvisor.oci.json.JsonWriter;
import java.util.regex.Pattern;

/** Container ids become directory names under --root, so only a safe alphabet is accepted. */
public final class ContainerId {
    /** runc's alphabet. Ids from containerd are 64 hex digits. */
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_+.\\-]{1,200}");

    private ContainerId() {}

    /** Returns {@code id} if acceptable as a directory name under --root. */
    public static String validate(String id) throws InvalidContainerIdException {
        if (id == null || id.isEmpty()) throw new InvalidContainerIdException("container id must not be empty");
        if (!ALLOWED.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            String shown = id.length() > 64 ? id.substring(0, 64) + "…" : id;
            throw new InvalidContainerIdException("invalid container id " + JsonWriter.quote(shown)
                    + ": use 1 to 200 of A-Z a-z 0-9 _ + . -, and not . or ..");
        }
        return id;
    }
}
