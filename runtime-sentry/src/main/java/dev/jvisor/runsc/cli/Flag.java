package dev.jvisor.runsc.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * One defined flag and its parsed value.
 *
 * @param <T> Boolean, String or List&lt;String&gt; (a flag that may repeat)
 */
public final class Flag<T> {
    enum Kind { BOOL, STRING, REPEATED }

    private final String name;
    private final String usage;
    private final Kind kind;
    private final String valueName;
    private T value;
    private boolean set;

    Flag(String name, Kind kind, T initial, String valueName, String usage) {
        this.name = name;
        this.kind = kind;
        this.value = initial;
        this.valueName = valueName;
        this.usage = usage;
    }

    public String name() {
        return name;
    }

    public String usage() {
        return usage;
    }

    /** The parsed value, or the default when the flag was not given. */
    public T get() {
        return value;
    }

    /** Whether the command line gave this flag. */
    public boolean isSet() {
        return set;
    }

    Kind kind() {
        return kind;
    }

    String valueName() {
        return valueName;
    }

    @SuppressWarnings("unchecked")
    void accept(String text) throws UsageException {
        switch (kind) {
            case BOOL -> value = (T) parseBool(text);
            case STRING -> value = (T) text;
            case REPEATED -> {
                List<String> list = set ? new ArrayList<>((List<String>) value) : new ArrayList<>();
                list.add(text);
                value = (T) List.copyOf(list);
            }
        }
        set = true;
    }

    /** The spellings Go's strconv.ParseBool accepts. */
    private Boolean parseBool(String text) throws UsageException {
        return switch (text) {
            case "1", "t", "T", "true", "TRUE", "True" -> Boolean.TRUE;
            case "0", "f", "F", "false", "FALSE", "False" -> Boolean.FALSE;
            default -> throw new UsageException("invalid boolean value \"" + text + "\" for flag --" + name);
        };
    }
}
