package io.asyncreply.it.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A standalone Jetty 12 (jetty-home) with a fresh JETTY_BASE made by
 * {@code java -jar $JETTY_HOME/start.jar --add-modules=...}, the WAR as {@code webapps/ROOT.war},
 * run with {@code java -jar start.jar jetty.http.host=127.0.0.1 jetty.http.port=N} and stopped
 * with SIGTERM (Jetty's shutdown hook stops the server gracefully), SIGKILL after the bound.
 *
 * <p>Modules: {@code http, ee10-deploy, ee10-annotations} (annotations so that
 * {@code ServletContainerInitializer}s and {@code @WebServlet}/{@code @WebListener} work as in
 * Tomcat), plus {@code ee10-plus, ext} with JNDI. Hot redeploy is on
 * ({@code jetty.deploy.scanInterval=1}; Jetty 12.1's default 0 disables it).
 *
 * <p>JNDI: {@link ContainerOptions#jndi} writes docs/examples/jetty/ee10-asyncreply-jndi.xml as
 * {@code environments/ee10-asyncreply-jndi.xml} (an {@code ee10} environment XML, applied to
 * every ee10 webapp) and copies the driver to {@code $JETTY_BASE/lib/ext}.
 *
 * <p>The base has no {@code work/} directory (see docs/deployment.md, Jetty hot redeploy); the
 * JVM's {@code java.io.tmpdir} is {@code $JETTY_BASE/tmp}.
 */
public final class JettyContainer extends ProcessContainer {

    /**
     * Jetty names the context after the display-name, so match the WAR path at the end of the line.
     * Only ServletContextHandler's "Started" line counts: it follows the application's
     * contextInitialized. ContextHandler logs an identical "Started" line before it, also for a new
     * application whose listener then fails ("Failed startup of context").
     */
    private static final Pattern DEPLOYED = Pattern.compile(":oeje10s\\.ServletContextHandler:\\S*: "
            + "Started oeje10w\\.WebAppContext@\\w+\\{[^,]*,/,.*/webapps/ROOT\\.war\\}$");

    static final String BASE_MODULES = "http,ee10-deploy,ee10-annotations";
    static final String JNDI_MODULES = "ee10-plus,ext";
    /** The JVM's java.io.tmpdir, where Jetty unpacks each deployed instance of the WAR. */
    static final String TMP = "tmp";

    private final Path home;

    private JettyContainer(String name, Path home, Path base, int port, ContainerOptions options) {
        super(name, base, port, base.resolve("logs").resolve("jetty.out"), options);
        this.home = home;
    }

    /** Builds the JETTY_BASE with start.jar (bounded); nothing is started. */
    public static JettyContainer create(Path jettyHome, ContainerOptions options) {
        String name = jettyHome.getFileName().toString().replace("-home", "");
        int port = FreePorts.next();
        Path base = newBase(options, name, port);
        try {
            Files.createDirectories(base.resolve("logs"));
            // No $JETTY_BASE/work: there Jetty unpacks every instance of ROOT.war into the same directory,
            // and a hot redeploy (new instance started before the old one stops) loses the new instance's
            // classes when the old one's stop deletes it. Without it each instance gets a directory of its
            // own under java.io.tmpdir, which is kept inside the base.
            Files.createDirectories(base.resolve(TMP));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean jndi = options.jndi() != null || options.jettyEnvironmentXml() != null;
        String modules = BASE_MODULES + (jndi ? "," + JNDI_MODULES : "") + (options.isHttp2c() ? ",http2c" : "");
        List<Path> libs = options.containerLibs();
        if (!libs.isEmpty() && !jndi) {
            modules += ",ext";
        }
        ProcessBuilder setup = ManagedProcess.builder(base, ManagedProcess.java(), "-jar",
                jettyHome.resolve("start.jar").toString(), "--add-modules=" + modules);
        int exit = ManagedProcess.run(setup, base.resolve("logs/setup.out"), Duration.ofSeconds(60));
        if (exit != 0) {
            throw new IllegalStateException("start.jar --add-modules=" + modules + " exited with " + exit
                    + "; see " + base.resolve("logs/setup.out"));
        }
        for (Path jar : libs) {
            copyInto(jar, base.resolve("lib/ext"));
        }
        if (options.jndi() != null) {
            write(base.resolve("environments/ee10-asyncreply-jndi.xml"), options.jndi().jettyEnvironmentXml());
        }
        if (options.jettyEnvironmentXml() != null) {
            write(base.resolve("environments/ee10-asyncreply.xml"), options.jettyEnvironmentXml());
        }
        try {
            Files.copy(options.war(), base.resolve("webapps/ROOT.war"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new JettyContainer(name, jettyHome, base, port, options);
    }

    @Override
    protected ProcessBuilder launch() {
        List<String> command = new ArrayList<>();
        command.add(ManagedProcess.java());
        command.addAll(options.jvmArguments());
        command.add("-Djava.io.tmpdir=" + base.resolve(TMP));
        command.add("-jar");
        command.add(home.resolve("start.jar").toString());
        command.add("jetty.http.host=127.0.0.1");
        command.add("jetty.http.port=" + port);
        command.add("jetty.deploy.scanInterval=1");
        // No "Server: Jetty(12.x)" header, no "Powered by Jetty:// 12.x" on error pages (docs/deployment.md).
        command.add("jetty.httpConfig.sendServerVersion=false");
        ProcessBuilder pb = ManagedProcess.builder(base, command.toArray(String[]::new));
        pb.environment().put("JETTY_HOME", home.toString());
        pb.environment().put("JETTY_BASE", base.toString());
        return pb;
    }

    @Override
    protected void requestStop(Process running) {
        running.destroy(); // SIGTERM: Jetty's shutdown hook stops the server
        ManagedProcess.awaitExit(running, options.stopTimeout());
    }

    @Override
    protected Pattern deployedLine() {
        return DEPLOYED;
    }

    @Override
    protected Path webappsDir() {
        return base.resolve("webapps");
    }

    public Path home() {
        return home;
    }
}
