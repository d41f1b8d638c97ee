package io.asyncreply.it.jvm;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The built WAR served by {@link WarMain} (embedded Jetty 12 ee10) in a separate JVM, so that tests
 * can kill it like a real server: {@link #kill()} is SIGKILL, {@link #stop()} is SIGTERM.
 *
 * <pre>{@code
 * try (ServerProcess node = ServerProcess.builder("node-a")
 *         .setting("asyncreply.store", "jdbc")
 *         .setting("asyncreply.jdbc.url", url)
 *         .nodeId("node-a")
 *         .build()) {
 *     node.start();                 // waits until GET /health answers
 *     URI base = node.baseUrl();    // http://127.0.0.1:PORT/
 *     node.kill();                  // kill -9
 *     node.start();                 // a new JVM: same port, same settings
 * }                                 // close(): kill -9 if still alive
 * }</pre>
 *
 * <p>Settings go to the JVM as {@code -D} system properties (they beat the WAR's context-params
 * and the environment; inherited {@code ASYNCREPLY_*} variables are removed anyway). The JVM runs
 * with {@code -Xmx256m}, {@code java} of this JVM, and this JVM's test classpath; everything it
 * prints goes to {@link #log()} under the run directory (by default
 * {@code target/jvm-runs/<name>-<time>}), across restarts. Port 0 (the default) means a free port
 * chosen at the first start and kept by every later one, so clients keep their base URL.
 *
 * <p>Every JVM started here dies with this one: it halts when its standard input (a pipe from
 * this JVM) closes, and a shutdown hook here SIGKILLs any still alive.
 */
public final class ServerProcess implements AutoCloseable {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");
    private static final AtomicInteger RUNS = new AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "server-process-reaper"));
    }

    private final String name;
    private final Path war;
    private final Map<String, String> settings;
    private final List<String> jvmArgs;
    private final Path runDir;
    private final Duration startTimeout;
    private final Duration stopTimeout;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private int port;
    private Process process;
    private int starts;

    private ServerProcess(Builder b) {
        this.name = b.name;
        this.war = b.war != null ? b.war : defaultWar();
        this.settings = Map.copyOf(b.settings);
        this.jvmArgs = List.copyOf(b.jvmArgs);
        this.port = b.port;
        this.startTimeout = b.startTimeout;
        this.stopTimeout = b.stopTimeout;
        this.runDir = b.runDir != null ? b.runDir
                : Path.of("target", "jvm-runs", name + "-" + LocalDateTime.now().format(RUN_TIME) + "-"
                        + RUNS.incrementAndGet()).toAbsolutePath();
    }

    /** A builder for a server named {@code name} (used for the run directory and thread names). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    // ---------------------------------------------------------------- life cycle

    /**
     * Starts a new JVM serving the WAR and waits until {@code GET /health} answers (200 or 503),
     * at most the start timeout (default 90 s). On failure the JVM is killed and the exception
     * carries the end of its log.
     *
     * @throws IllegalStateException when it is already running, exits, or does not answer in time
     */
    public synchronized ServerProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        }
        starts++;
        Path portFile = runDir.resolve("port");
        List<String> command = new ArrayList<>();
        try {
            Files.createDirectories(runDir.resolve("tmp"));
            Files.deleteIfExists(portFile);
            Files.writeString(log(), "\n==== " + Instant.now() + " start #" + starts + " of " + name + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1"); // starts faster; these JVMs live for seconds
        command.add("-Djava.io.tmpdir=" + runDir.resolve("tmp"));
        command.add("-Dwarmain.exitWithParent=true");
        command.addAll(jvmArgs);
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(testClassPath());
        command.add(WarMain.class.getName());
        command.add(war.toString());
        command.add(Integer.toString(port));
        command.add(portFile.toString());

        ProcessBuilder pb = new ProcessBuilder(command).directory(runDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("ASYNCREPLY_") || k.equals("JAVA_TOOL_OPTIONS")
                || k.equals("JDK_JAVA_OPTIONS") || k.equals("_JAVA_OPTIONS") || k.equals("CLASSPATH"));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        process = p;
        try {
            awaitHealth(p, portFile);
        } catch (RuntimeException | Error e) {
            p.destroyForcibly();
            awaitExit(p, Duration.ofSeconds(10));
            throw e;
        }
        return this;
    }

    private void awaitHealth(Process p, Path portFile) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + p.exitValue()
                        + " before it served /health; end of " + log() + ":\n" + logTail(60));
            }
            if (port == 0) {
                port = readPort(portFile);
            }
            if (port != 0) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(baseUrl().resolve("health"))
                            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 || r.statusCode() == 503) {
                        return;
                    }
                    last = "GET /health answered " + r.statusCode() + " " + r.body();
                } catch (IOException e) {
                    last = "GET /health: " + e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while starting " + name, e);
                }
            }
            awaitExit(p, Duration.ofMillis(100)); // a bounded pause that ends early if it dies
        }
        throw new IllegalStateException(name + " did not answer GET /health within " + startTimeout + " (" + last
                + "); end of " + log() + ":\n" + logTail(60));
    }

    private static int readPort(Path portFile) {
        try {
            return Files.isRegularFile(portFile) ? Integer.parseInt(Files.readString(portFile).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** SIGKILL ({@code kill -9}): no shutdown hook runs. Waits until the process is gone. No-op when not running. */
    public synchronized void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        if (!awaitExit(p, Duration.ofSeconds(30))) {
            throw new IllegalStateException(name + " (pid " + p.pid() + ") survived SIGKILL for 30 s");
        }
        appendToLog("==== " + Instant.now() + " killed (SIGKILL), exit code " + p.exitValue());
    }

    /**
     * Graceful stop: SIGTERM, so Jetty's shutdown hook stops the server and undeploys the WAR.
     * Waits at most the stop timeout (default 30 s); after that it kills the JVM and fails.
     *
     * @return the JVM's exit code (143 after SIGTERM)
     */
    public synchronized int stop() {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException(name + " was never started");
        }
        // ProcessHandle.destroy, not Process.destroy: the latter also closes the JVM's standard input,
        // which WarMain takes as "the launching JVM is gone" and halts without a graceful stop.
        p.toHandle().destroy();
        if (!awaitExit(p, stopTimeout)) {
            p.destroyForcibly();
            awaitExit(p, Duration.ofSeconds(30));
            throw new IllegalStateException(name + " did not stop within " + stopTimeout
                    + " of SIGTERM; killed it. End of " + log() + ":\n" + logTail(60));
        }
        appendToLog("==== " + Instant.now() + " stopped (SIGTERM), exit code " + p.exitValue());
        return p.exitValue();
    }

    /** {@link #stop()} when running, then {@link #start()}: a new JVM, same port and settings. */
    public synchronized ServerProcess restart() {
        if (process != null && process.isAlive()) {
            stop();
        }
        return start();
    }

    /** Kills the JVM if it is still running (tests end fast and never leave a process behind). */
    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            kill();
        }
    }

    // ---------------------------------------------------------------- state

    /** {@code http://127.0.0.1:PORT/}; known once the first start has begun serving. */
    public URI baseUrl() {
        if (port == 0) {
            throw new IllegalStateException(name + " has no port yet: start it first");
        }
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    public int port() {
        return port;
    }

    public String name() {
        return name;
    }

    /** The node id setting ({@code asyncreply.node-id}), or null when the service picks one. */
    public String nodeId() {
        return settings.get("asyncreply.node-id");
    }

    public Map<String, String> settings() {
        return settings;
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** The current (or last) JVM's pid. */
    public long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
        return process.pid();
    }

    /** The log file: everything every JVM of this server printed, with a line at each start, stop and kill. */
    public Path log() {
        return runDir.resolve("server.log");
    }

    public Path runDir() {
        return runDir;
    }

    /** The last {@code lines} lines of the log. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log(), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public String toString() {
        return "ServerProcess[" + name + (port == 0 ? "" : ", port " + port) + (isAlive() ? ", pid " + pid() : "")
                + "]";
    }

    private void appendToLog(String line) {
        try (OutputStream out = Files.newOutputStream(log(), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND)) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the log is a diagnostic aid only
        }
    }

    private static boolean awaitExit(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    // ---------------------------------------------------------------- classpath, WAR

    /** The WAR under test: {@code -Dasyncreply.war} (set by failsafe to target/asyncreply.war). */
    static Path defaultWar() {
        String war = System.getProperty("asyncreply.war");
        if (war == null || war.isBlank()) {
            throw new IllegalStateException("System property asyncreply.war is not set; run the ITs with "
                    + "'mvn verify' (failsafe sets it to target/asyncreply.war).");
        }
        Path p = Path.of(war).toAbsolutePath();
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("asyncreply.war=" + war + " does not exist; build the WAR first.");
        }
        return p;
    }

    /**
     * This JVM's test classpath: {@code java.class.path} when it holds the real entries (surefire
     * and failsafe set it so, even when they launch through a manifest-only jar), else
     * {@code surefire.test.class.path}, else the {@code Class-Path} of a manifest-only jar.
     */
    static String testClassPath() {
        String own = ownLocation();
        for (String property : List.of("java.class.path", "surefire.test.class.path")) {
            String cp = System.getProperty(property);
            if (cp != null && contains(cp, own)) {
                return cp;
            }
        }
        String cp = System.getProperty("java.class.path", "");
        List<String> entries = List.of(cp.split(File.pathSeparator));
        if (entries.size() == 1 && entries.get(0).endsWith(".jar")) {
            String expanded = manifestClassPath(Path.of(entries.get(0)));
            if (expanded != null && contains(expanded, own)) {
                return expanded;
            }
        }
        throw new IllegalStateException("cannot find the test classpath (with " + own + ") in java.class.path ("
                + cp + ") or surefire.test.class.path");
    }

    private static String ownLocation() {
        try {
            return Path.of(WarMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean contains(String classPath, String entry) {
        for (String e : classPath.split(File.pathSeparator)) {
            if (!e.isEmpty() && Path.of(e).toAbsolutePath().normalize().equals(Path.of(entry).normalize())) {
                return true;
            }
        }
        return false;
    }

    private static String manifestClassPath(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest m = jf.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
            if (cp == null) {
                return null;
            }
            Set<String> out = new LinkedHashSet<>();
            for (String url : cp.trim().split("\\s+")) {
                URI u = jar.toUri().resolve(url);
                out.add(Path.of(u).toString());
            }
            return String.join(File.pathSeparator, out);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- builder

    /** Configures a {@link ServerProcess}; nothing starts until {@link ServerProcess#start()}. */
    public static final class Builder {
        private final String name;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private Path war;
        private Path runDir;
        private int port;
        private Duration startTimeout = Duration.ofSeconds(90);
        private Duration stopTimeout = Duration.ofSeconds(30);

        private Builder(String name) {
            if (!name.matches("[A-Za-z0-9._-]{1,60}")) {
                throw new IllegalArgumentException("name must be 1 to 60 of [A-Za-z0-9._-]: " + name);
            }
            this.name = name;
        }

        /** The WAR to serve; default {@code -Dasyncreply.war}. */
        public Builder war(Path war) {
            this.war = war.toAbsolutePath();
            return this;
        }

        /** The port on 127.0.0.1; default 0: a free one, chosen at the first start and kept. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            this.port = port;
            return this;
        }

        /** The node id ({@code asyncreply.node-id}): the owner of this node's leases. */
        public Builder nodeId(String nodeId) {
            return setting("asyncreply.node-id", nodeId);
        }

        /** A setting ({@code asyncreply.workers -> 2}), passed as a system property. */
        public Builder setting(String name, String value) {
            settings.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }

        public Builder settings(Map<String, String> all) {
            all.forEach(this::setting);
            return this;
        }

        /** An extra JVM option, e.g. {@code -Xlog:gc}. */
        public Builder jvmArg(String arg) {
            jvmArgs.add(Objects.requireNonNull(arg));
            return this;
        }

        /** Where the log, the port file and temporary files go; default {@code target/jvm-runs/<name>-<time>}. */
        public Builder runDir(Path dir) {
            this.runDir = dir.toAbsolutePath();
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        public ServerProcess build() {
            return new ServerProcess(this);
        }
    }
}
