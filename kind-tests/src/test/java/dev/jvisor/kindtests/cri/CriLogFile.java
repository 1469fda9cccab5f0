package dev.jvisor.kindtests.cri;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A container log file as CRI runtimes write it for kubelet: one record per line,
 * {@code <RFC 3339 time> <stdout|stderr> <P|F> <content>}, where {@code F} ends a line of the
 * program's output and {@code P} is a partial piece of a longer one, continued by the next
 * record of the same stream.
 */
public record CriLogFile(List<Record> records) {
    /** The two streams a container writes. */
    public enum Stream { STDOUT, STDERR }

    /** One record: {@code full} when it ends a line of output. */
    public record Record(Instant time, Stream stream, boolean full, String content) {}

    /** A line that is not a CRI log record; names the line. */
    public static final class MalformedLogException extends IOException {
        MalformedLogException(Path file, int lineNumber, String why, String line) {
            super(file + ":" + lineNumber + ": " + why + ": \"" + line + "\"");
        }
    }

    public static CriLogFile read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<Record> records = new ArrayList<>();
        if (text.isEmpty()) return new CriLogFile(records);
        if (!text.endsWith("\n")) throw new MalformedLogException(file, text.split("\n", -1).length, "last record has no newline", "");
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        for (int i = 0; i < lines.length; i++) records.add(parse(file, i + 1, lines[i]));
        return new CriLogFile(records);
    }

    private static Record parse(Path file, int n, String line) throws MalformedLogException {
        String[] f = line.split(" ", 4);
        if (f.length < 3) throw new MalformedLogException(file, n, "fewer than three fields", line);
        Instant time;
        try {
            time = Instant.parse(f[0]);
        } catch (DateTimeParseException e) {
            throw new MalformedLogException(file, n, "time is not RFC 3339", line);
        }
        Stream stream = switch (f[1]) {
            case "stdout" -> Stream.STDOUT;
            case "stderr" -> Stream.STDERR;
            default -> throw new MalformedLogException(file, n, "stream is neither stdout nor stderr", line);
        };
        boolean full = switch (f[2]) {
            case "F" -> true;
            case "P" -> false;
            default -> throw new MalformedLogException(file, n, "tag is neither F nor P", line);
        };
        return new Record(time, stream, full, f.length == 4 ? f[3] : "");
    }

    /** What the program wrote to {@code stream}, reassembled: partial records joined, each full one ending a line. */
    public String output(Stream stream) {
        StringBuilder out = new StringBuilder();
        for (Record r : records) {
            if (r.stream() != stream) continue;
            out.append(r.content());
            if (r.full()) out.append('\n');
        }
        return out.toString();
    }
}
