package io.asyncreply.it.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Launches and reaps the container processes. Every process started here is SIGKILLed by a JVM
 * shutdown hook if it is still alive when the test JVM exits (safety net behind close()).
 */
final class ManagedProcess {

    private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

    /** Inherited variables that would change what the container scripts do. */
    private static final Set<String> SCRUBBED = Set.of(
            "CATALINA_HOME", "CATALINA_BASE", "CATALINA_OPTS", "CATALINA_PID", "CATALINA_OUT",
            "CATALINA_OUT_CMD", "CATALINA_TMPDIR", "JAVA_OPTS", "JRE_HOME", "JAVA_ENDORSED_DIRS",
            "JPDA_OPTS", "LOGGING_CONFIG", "LOGGING_MANAGER", "USE_NOHUP", "UMASK",
            "JETTY_HOME", "JETTY_BASE", "JETTY_ARGS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ManagedProcess::killAll, "asyncreply-container-reaper"));
    }

    private ManagedProcess() {
    }

    /** A builder with a scrubbed environment, JAVA_HOME of this JVM, and the given working directory. */
    static ProcessBuilder builder(Path workingDir, String... command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workingDir.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeAll(SCRUBBED);
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return pb;
    }

    /** The java executable of this JVM. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Process start(ProcessBuilder pb) {
        try {
            Process process = pb.start();
            ProcessHandle handle = process.toHandle();
            LIVE.add(handle);
            handle.onExit().thenRun(() -> LIVE.remove(handle));
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + pb.command(), e);
        }
    }

    /** Runs a helper command to completion (bounded); output goes to {@code output}. Returns the exit code. */
    static int run(ProcessBuilder pb, Path output, Duration timeout) {
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        Process process = start(pb);
        if (!awaitExit(process, timeout)) {
            killTree(process.toHandle());
            awaitExit(process, Duration.ofSeconds(10));
            throw new IllegalStateException(pb.command() + " did not finish within " + timeout + "; see " + output);
        }
        return process.exitValue();
    }

    static boolean awaitExit(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** SIGKILL to the process and everything it started. */
    static void killTree(ProcessHandle handle) {
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
    }

    static void killAll() {
        for (ProcessHandle handle : LIVE) {
            killTree(handle);
        }
    }

    /** A short sleep for bounded poll loops in this support code (never in tests). */
    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
