package io.asyncreply.it.container;

import java.net.URI;
import java.nio.file.Path;

/**
 * A real servlet container (standalone distribution, own process) serving one WAR as the root
 * application on a loopback port. Create one with {@link ContainerKind#create(ContainerOptions)}.
 *
 * <p>Lifecycle: {@link #start()} (blocks until the HTTP port answers or fails with the log tail),
 * {@link #stop()} (graceful, bounded, then forced), {@link #kill()} (SIGKILL), {@link #start()}
 * again on the same base and port, {@link #close()} (stop if running; always safe to call).
 */
public interface ServletContainer extends AutoCloseable {

    /** For test names and messages, e.g. {@code tomcat-11.0.24}. */
    String name();

    /** {@code http://127.0.0.1:PORT/}; the WAR is the root application. Stays the same across restarts. */
    URI baseUrl();

    int port();

    /** The instance directory (CATALINA_BASE or JETTY_BASE), fresh per instance, under target. */
    Path base();

    /** The container's console output (stdout and stderr), appended to across restarts. */
    Path log();

    /** Reader for {@link #log()}: marks, problem lines, bounded waits for a line. */
    ContainerLog containerLog();

    /** Starts the process and waits (bounded) until the HTTP port answers. */
    void start();

    /** Graceful stop: bounded, then SIGKILL if the process is still there. No-op when not running. */
    void stop();

    /** SIGKILL, no shutdown hooks (simulates a crash). No-op when not running. */
    void kill();

    boolean isRunning();

    /**
     * Replaces {@code webapps/ROOT.war} in place while the container runs (atomic move), waits
     * (bounded) until the container logs that it deployed the new WAR, then until the HTTP port
     * answers again.
     */
    void redeploy(Path newWar);

    /** Stops the process if it is running. Never throws. */
    @Override
    void close();
}
