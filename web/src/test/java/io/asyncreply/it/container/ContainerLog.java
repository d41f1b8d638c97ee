package io.asyncreply.it.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a container's console log: everything, or only what was written after a {@link #mark()}.
 * Used by the smoke, redeploy and shutdown tests to find problem lines such as Tomcat's
 * "appears to have started a thread" or SEVERE lines.
 */
public final class ContainerLog {

    /**
     * Lines that mean trouble in either container: JUL/Tomcat SEVERE, Jetty ERROR, Tomcat's
     * leak detection (threads, ThreadLocals, JDBC drivers: all say "memory leak" or "started a
     * thread"), Jetty's failed deployment, and classes gone missing from a deployed application.
     */
    public static final List<Pattern> PROBLEMS = List.of(
            Pattern.compile("\\bSEVERE\\b"),
            Pattern.compile("\\d:ERROR\\s*:"),
            Pattern.compile("appears to have started a thread"),
            Pattern.compile("memory leak"),
            Pattern.compile("Failed startup of context"),
            Pattern.compile("NoClassDefFoundError"));

    private static final Duration POLL = Duration.ofMillis(100);

    private final Path file;

    public ContainerLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The current end of the log; pass it to the {@code ...Since} methods. */
    public long mark() {
        try {
            return Files.exists(file) ? Files.size(file) : 0L;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String text() {
        return textSince(0L);
    }

    public String textSince(long mark) {
        if (!Files.exists(file)) {
            return "";
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            int from = (int) Math.min(Math.max(mark, 0L), bytes.length);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<String> lines() {
        return linesSince(0L);
    }

    public List<String> linesSince(long mark) {
        String text = textSince(mark);
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\\R"));
    }

    public List<String> matching(Pattern pattern, long mark) {
        return linesSince(mark).stream().filter(line -> pattern.matcher(line).find()).toList();
    }

    /** Lines matching any of {@link #PROBLEMS}, from the whole log. */
    public List<String> problems() {
        return problemsSince(0L);
    }

    /** Lines matching any of {@link #PROBLEMS}, written after {@code mark}. */
    public List<String> problemsSince(long mark) {
        return linesSince(mark).stream()
                .filter(line -> PROBLEMS.stream().anyMatch(p -> p.matcher(line).find()))
                .toList();
    }

    public Optional<String> firstMatch(Pattern pattern, long mark) {
        return linesSince(mark).stream().filter(line -> pattern.matcher(line).find()).findFirst();
    }

    /**
     * Waits (bounded, polling) until a line matching {@code pattern} appears after {@code mark};
     * returns it, or throws with the log's tail.
     */
    public String awaitLine(Pattern pattern, long mark, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> line = firstMatch(pattern, mark);
            if (line.isPresent()) {
                return line.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no line matching /" + pattern + "/ in " + file + " within "
                        + timeout + "; last lines:\n" + tail(40));
            }
            ManagedProcess.pause(POLL);
        }
    }

    /** The last {@code n} lines, for failure messages. */
    public String tail(int n) {
        List<String> lines = lines();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}
