package io.asyncreply.it.jvm;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Enumeration;
import org.eclipse.jetty.ee10.webapp.WebAppClassLoader;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Serves a WAR with embedded Jetty 12 ee10 on 127.0.0.1, context path {@code /}: the main class of
 * the JVMs that {@link ServerProcess} starts.
 *
 * <pre>
 * java -cp &lt;test classpath&gt; [-Dasyncreply.x=y ...] io.asyncreply.it.jvm.WarMain &lt;war&gt; &lt;port&gt; [&lt;port file&gt;]
 * </pre>
 *
 * <p>Port 0 picks a free port; once the server is up, its port is written to the port file (an
 * atomic rename, so a reader never sees a partial file). The application's settings are the JVM's
 * system properties, as in any container. The WAR sees only what a real container gives it (the
 * JDK, the Servlet API and Jetty), not the rest of the test classpath.
 *
 * <p>Ends: on SIGTERM (Jetty's shutdown hook stops the server and so undeploys the application
 * gracefully); on SIGKILL; with exit code 2 when the deployment fails; and, with
 * {@code -Dwarmain.exitWithParent=true}, at once (halt) when its standard input reaches end of
 * file, which happens when the launching JVM dies: no orphan outlives a crashed test run.
 */
public final class WarMain {
    /** Exit code when the WAR cannot be deployed. */
    public static final int DEPLOY_FAILED = 2;
    /** Exit code when the parent (standard input) went away. */
    public static final int PARENT_GONE = 3;
    /** Printed (to standard output) once the server serves requests, followed by the base URL. */
    public static final String STARTED = "WarMain started: ";
    /**
     * Printed once the web application has been stopped (undeployed: its listeners' contextDestroyed
     * ran), e.g. by the shutdown hook after SIGTERM. Printed, not logged: java.util.logging resets
     * its handlers in its own shutdown hook, so the application's log lines during shutdown may be lost.
     */
    public static final String APP_STOPPED = "WarMain application stopped";

    private WarMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: WarMain <war> <port> [<port file>]");
            System.exit(1);
        }
        Path war = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        Path portFile = args.length > 2 ? Path.of(args[2]) : null;
        if (Boolean.getBoolean("warmain.exitWithParent")) {
            exitWithParent();
        }

        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("warmain-jetty");
        Server server = new Server(threads);
        ServerConnector http = new ServerConnector(server, 1, 1);
        http.setHost("127.0.0.1");
        http.setPort(port);
        http.setReuseAddress(true); // restart on the port of a killed server without waiting for TIME_WAIT
        server.addConnector(http);

        WebAppContext app = new WebAppContext();
        app.setContextPath("/");
        app.setWar(war.toString());
        app.setClassLoader(new WebAppClassLoader(containerOnly(), app));
        app.setTempDirectory(Files.createTempDirectory("warmain-webapp-").toFile());
        app.setThrowUnavailableOnStartupException(true);
        app.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStopped(LifeCycle event) {
                System.out.println(APP_STOPPED);
                System.out.flush();
            }
        });
        server.setHandler(app);
        // SIGTERM runs the JVM's shutdown hooks: Jetty's stops the server, which undeploys the WAR
        // (the application's contextDestroyed: stop workers, close the store and its pool).
        server.setStopAtShutdown(true);
        try {
            server.start();
        } catch (Throwable e) {
            System.err.println("WarMain: deploying " + war + " failed");
            e.printStackTrace();
            System.err.flush();
            System.exit(DEPLOY_FAILED); // the shutdown hook stops what did start
        }
        int actual = http.getLocalPort();
        if (portFile != null) {
            Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
            Files.writeString(tmp, Integer.toString(actual), StandardCharsets.US_ASCII);
            Files.move(tmp, portFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        System.out.println(STARTED + "http://127.0.0.1:" + actual + "/ (pid " + ProcessHandle.current().pid() + ")");
        System.out.flush();
        server.join();
    }

    /** Halts the JVM when standard input ends, i.e. when the process that started this one is gone. */
    private static void exitWithParent() {
        Thread t = new Thread(() -> {
            InputStream in = System.in;
            byte[] buf = new byte[256];
            try {
                while (in.read(buf) >= 0) {
                    // ignore input; only its end matters
                }
            } catch (IOException e) {
                // treated as the end
            }
            System.err.println("WarMain: standard input closed (the launching JVM is gone); halting");
            System.err.flush();
            Runtime.getRuntime().halt(PARENT_GONE);
        }, "warmain-parent-watch");
        t.setDaemon(true);
        t.start();
    }

    /** A parent class loader with the JDK, the Servlet API and Jetty, and nothing else of the classpath. */
    private static ClassLoader containerOnly() {
        ClassLoader all = WarMain.class.getClassLoader();
        return new ClassLoader("warmain-container", ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                if (name.startsWith("jakarta.servlet.") || name.startsWith("org.eclipse.jetty.")) {
                    return all.loadClass(name);
                }
                throw new ClassNotFoundException(name);
            }

            @Override
            protected URL findResource(String name) {
                return containers(name) ? all.getResource(name) : null;
            }

            @Override
            protected Enumeration<URL> findResources(String name) throws IOException {
                return containers(name) ? all.getResources(name) : Collections.emptyEnumeration();
            }

            private boolean containers(String resource) {
                return resource.startsWith("jakarta/servlet/") || resource.startsWith("org/eclipse/jetty/");
            }
        };
    }
}
