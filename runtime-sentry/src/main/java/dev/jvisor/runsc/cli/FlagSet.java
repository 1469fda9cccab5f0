package dev.jvisor.runsc.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** The flags of one command (or the global ones), parsed with Go's {@code flag} package rules. */
public final class FlagSet {
    private final Map<String, Flag<?>> flags = new LinkedHashMap<>();

    public Flag<Boolean> bool(String name, String usage) {
        return bool(name, false, usage);
    }

    /** A boolean that is on unless the command line says {@code --name=false}. */
    public Flag<Boolean> bool(String name, boolean defaultValue, String usage) {
        return define(new Flag<>(name, Flag.Kind.BOOL, defaultValue, null, usage));
    }

    public Flag<String> string(String name, String valueName, String defaultValue, String usage) {
        return define(new Flag<>(name, Flag.Kind.STRING, defaultValue, valueName, usage));
    }

    /** A flag that may be given several times; its value lists them in order. */
    public Flag<List<String>> repeated(String name, String valueName, String usage) {
        return define(new Flag<>(name, Flag.Kind.REPEATED, List.of(), valueName, usage));
    }

    /** Another name for a defined flag, such as runc's {@code -q} for {@code --quiet}. */
    public void alias(String alias, Flag<?> flag) {
        if (flags.get(flag.name()) != flag) throw new IllegalArgumentException("flag --" + flag.name() + " is not in this set");
        if (flags.putIfAbsent(alias, flag) != null) throw new IllegalStateException("flag -" + alias + " defined twice");
    }

    private <T> Flag<T> define(Flag<T> flag) {
        if (flags.putIfAbsent(flag.name(), flag) != null) {
            throw new IllegalStateException("flag --" + flag.name() + " defined twice");
        }
        return flag;
    }

    /**
     * Parses flags from the front of {@code args} and returns the rest: everything from the first
     * argument that is not a flag, or everything after {@code --}.
     */
    public List<String> parse(List<String> args) throws UsageException, HelpRequestedException {
        int i = 0;
        while (i < args.size()) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                i++;
                break;
            }
            if (arg.length() < 2 || arg.charAt(0) != '-') break; // "-" alone is an argument
            String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            if (body.isEmpty() || body.startsWith("-") || body.startsWith("=")) {
                throw new UsageException("bad flag syntax: " + arg);
            }
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            Flag<?> flag = flags.get(name);
            if (flag == null) {
                if (name.equals("h") || name.equals("help")) throw new HelpRequestedException();
                throw new UsageException("flag provided but not defined: -" + name);
            }
            i++;
            if (eq >= 0) {
                flag.accept(body.substring(eq + 1));
            } else if (flag.kind() == Flag.Kind.BOOL) {
                flag.accept("true");
            } else {
                if (i >= args.size()) throw new UsageException("flag needs an argument: -" + name);
                flag.accept(args.get(i++));
            }
        }
        return List.copyOf(args.subList(i, args.size()));
    }

    /** Whether a flag of this name is defined. */
    public boolean defines(String name) {
        return flags.containsKey(name);
    }

    /** The flags in definition order, each once. */
    public List<Flag<?>> flags() {
        return new ArrayList<>(new LinkedHashSet<>(flags.values()));
    }

    /** One line per flag, for help output. */
    public String usage() {
        StringBuilder sb = new StringBuilder();
        for (Flag<?> f : flags()) {
            StringBuilder names = new StringBuilder("  ");
            flags.forEach((name, g) -> {
                if (g == f && !name.equals(f.name())) names.append('-').append(name).append(", ");
            });
            String left = names + "--" + f.name() + (f.valueName() == null ? "" : " " + f.valueName());
            sb.append(left);
            sb.repeat(" ", Math.max(2, 30 - left.length()));
            sb.append(f.usage());
            boolean showDefault = f.kind() == Flag.Kind.STRING ? f.get() != null && !f.get().toString().isEmpty()
                    : f.kind() == Flag.Kind.BOOL && Boolean.TRUE.equals(f.get());
            if (showDefault) {
                sb.append(" (default ").append(f.get()).append(')');
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
