package dev.jvisor.nodeagent.policy;

import java.util.regex.Pattern;

/** The shapes Kubernetes gives names and uids; anything else is refused before the API is asked. */
final class RequestChecks {

    /** RFC 1123 label: a namespace name. */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    /** RFC 1123 subdomain: a pod name. */
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** Kubernetes uids are UUIDs; this allows any dash-separated hex or alphanumeric id of sane length. */
    private static final Pattern UID = Pattern.compile("[A-Za-z0-9-]{1,128}");
    static final int MAX_SANDBOX_ID = 1024;
    static final int MAX_ANNOTATIONS = 64;

    private RequestChecks() {
    }

    static void namespace(String value) throws InvalidRequestException {
        if (value.length() > 63 || !DNS_LABEL.matcher(value).matches()) {
            throw new InvalidRequestException("pod namespace " + quote(value) + " is not a Kubernetes namespace name");
        }
    }

    static void podName(String value) throws InvalidRequestException {
        if (value.length() > 253 || !DNS_SUBDOMAIN.matcher(value).matches()) {
            throw new InvalidRequestException("pod name " + quote(value) + " is not a Kubernetes pod name");
        }
    }

    static void uid(String value) throws InvalidRequestException {
        if (!UID.matcher(value).matches()) {
            throw new InvalidRequestException("pod uid " + quote(value) + " is not a Kubernetes uid");
        }
    }

    /** A value for logs and error messages: bounded, control characters escaped. */
    static String quote(String value) {
        String cut = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        StringBuilder out = new StringBuilder("\"");
        cut.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) out.append(String.format("\\x%02x", c));
            else out.appendCodePoint(c);
        });
        return out.append('"').toString();
    }
}
