package io.asyncreply.it.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/** Process handling shared by {@link TomcatContainer} and {@link JettyContainer}. */
abstract sealed class ProcessContainer implements ServletContainer permits TomcatContainer, JettyContainer {

    private static final Duration POLL = Duration.ofMillis(200);

    protected final String name;
    protected final Path base;
    protected final int port;
    protected final ContainerOptions options;
    private final ContainerLog log;
    private Process process;

    protected ProcessContainer(String name, Path base, int port, Path log, ContainerOptions options) {
        this.name = name;
        this.base = base;
        this.port = port;
        this.options = options;
        this.log = new ContainerLog(log);
    }

    /** The command that runs the container in the foreground (its output is appended to the log). */
    protected abstract ProcessBuilder launch();

    /** Called right after launch, e.g. to write a pid file. */
    protected void launched(Process started) {
    }

    /** Asks the container to stop gracefully (bounded); the caller then waits and kills if needed. */
    protected abstract void requestStop(Process running);

    /** A log line saying the root application was (re)deployed. */
    protected abstract Pattern deployedLine();

    protected abstract Path webappsDir();

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    @Override
    public final int port() {
        return port;
    }

    @Override
    public final Path base() {
        return base;
    }

    @Override
    public final Path log() {
        return log.file();
    }

    @Override
    public final ContainerLog containerLog() {
        return log;
    }

    @Override
    public final synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The container JVM's pid while running. */
    public final synchronized OptionalInt pid() {
        return isRunning() ? OptionalInt.of((int) process.pid()) : OptionalInt.empty();
    }

    @Override
    public final synchronized void start() {
        if (isRunning()) {
            throw new IllegalStateException(name + " is already running");
        }
        long mark = log.mark();
        ProcessBuilder pb = launch();
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.file().toFile()));
        long started = System.nanoTime();
        process = ManagedProcess.start(pb);
        try {
            launched(process);
            awaitReady(options.startTimeout(), "start");
        } catch (RuntimeException | Error e) {
            kill();
            throw e;
        }
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        System.out.printf("[%s] started in %d ms at %s (pid %d, base %s); deployed: %s%n", name, millis,
                baseUrl(), process.pid(), base, log.firstMatch(deployedLine(), mark).isPresent());
    }

    @Override
    public final synchronized void stop() {
        if (!isRunning()) {
            return;
        }
        Process running = process;
        long started = System.nanoTime();
        try {
            requestStop(running);
        } finally {
            if (!ManagedProcess.awaitExit(running, options.stopTimeout().plusSeconds(10))) {
                System.out.printf("[%s] did not stop within %s; SIGKILL%n", name, options.stopTimeout());
                ManagedProcess.killTree(running.toHandle());
                ManagedProcess.awaitExit(running, Duration.ofSeconds(10));
            }
        }
        System.out.printf("[%s] stopped in %d ms (exit %d)%n", name,
                Duration.ofNanos(System.nanoTime() - started).toMillis(), running.exitValue());
    }

    @Override
    public final synchronized void kill() {
        if (process == null) {
            return;
        }
        ManagedProcess.killTree(process.toHandle());
        ManagedProcess.awaitExit(process, Duration.ofSeconds(10));
    }

    @Override
    public final synchronized void redeploy(Path newWar) {
        if (!isRunning()) {
            throw new IllegalStateException(name + " is not running");
        }
        long mark = log.mark();
        Path target = webappsDir().resolve("ROOT.war");
        // Copy next to the target (same file system, a name no deployer picks up), then move atomically,
        // with a modification time the deployer cannot mistake for the old one.
        Path staged = base.resolve("ROOT.war.staged");
        try {
            Files.copy(newWar, staged, StandardCopyOption.REPLACE_EXISTING);
            Instant old = Files.exists(target) ? Files.getLastModifiedTime(target).toInstant() : Instant.EPOCH;
            Instant now = Instant.now();
            Files.setLastModifiedTime(staged,
                    FileTime.from(now.isAfter(old.plusSeconds(2)) ? now : old.plusSeconds(2)));
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long started = System.nanoTime();
        log.awaitLine(deployedLine(), mark, options.redeployTimeout());
        awaitReady(options.redeployTimeout(), "redeploy");
        System.out.printf("[%s] redeployed in %d ms%n", name, Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    @Override
    public final void close() {
        try {
            stop();
        } catch (RuntimeException e) {
            System.out.printf("[%s] stop failed (%s); SIGKILL%n", name, e);
            kill();
        } finally {
            // The expanded application and work files are large; logs and config stay for post-mortems.
            deleteQuietly(webappsDir().resolve("ROOT"));
            deleteQuietly(base.resolve("work"));
            deleteQuietly(base.resolve(JettyContainer.TMP));
        }
    }

    @Override
    public String toString() {
        return name;
    }

    private void awaitReady(Duration timeout, String what) {
        URI probe = baseUrl().resolve(options.readyPath());
        long deadline = System.nanoTime() + timeout.toNanos();
        OptionalInt last = OptionalInt.empty();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue() + " during "
                        + what + "; last lines of " + log.file() + ":\n" + log.tail(60));
            }
            last = HttpProbe.status(probe);
            if (last.isPresent() && options.readyStatus().test(last.getAsInt())) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(name + ": " + what + " not complete within " + timeout + " (GET "
                        + probe + " -> " + (last.isPresent() ? last.getAsInt() : "no answer") + "); last lines of "
                        + log.file() + ":\n" + log.tail(60));
            }
            ManagedProcess.pause(POLL);
        }
    }

    /** A fresh directory under the runs dir: NAME-PORT-TIMESTAMP (unique even with concurrent builds). */
    static Path newBase(ContainerOptions options, String name, int port) {
        try {
            Files.createDirectories(options.runsDir());
            return Files.createDirectory(options.runsDir().resolve(name + "-" + port + "-" + System.currentTimeMillis()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void copyTree(Path from, Path to) {
        try {
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void copyInto(Path file, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.copy(file, dir.resolve(file.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteQuietly(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.out.println("could not delete " + root + ": " + e);
        }
    }
}
