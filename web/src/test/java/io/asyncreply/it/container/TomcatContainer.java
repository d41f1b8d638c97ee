package io.asyncreply.it.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A standalone Apache Tomcat (10.1 or 11) from its distribution: a fresh CATALINA_BASE with the
 * home's conf, HTTP on a free loopback port, the shutdown port on another free loopback port,
 * the WAR as {@code webapps/ROOT.war}, run with {@code catalina.sh run} and stopped with
 * {@code catalina.sh stop N -force} (CATALINA_PID, so only this instance).
 *
 * <p>JNDI: {@link ContainerOptions#jndi} pastes docs/examples/tomcat/global-resource.xml (a
 * {@code <Resource>}) into {@code conf/server.xml}'s {@code <GlobalNamingResources>}, writes
 * docs/examples/tomcat/context.xml.default (the {@code <ResourceLink>} and
 * {@code asyncreply.store=jndi}) as {@code conf/Catalina/localhost/context.xml.default}, and copies
 * the driver to {@code $CATALINA_BASE/lib}: the layout that survives an undeploy.
 *
 * <p>Tomcat's error pages show no server version (an {@code ErrorReportValve} with
 * {@code showServerInfo="false"} in the {@code <Host>}), as docs/deployment.md recommends.
 */
public final class TomcatContainer extends ProcessContainer {

    /**
     * Logged after deploying webapps/ROOT.war, or conf/Catalina/localhost/ROOT.xml when there is one;
     * with such a descriptor, a replaced WAR makes Tomcat reload the context (not redeploy it).
     */
    private static final Pattern DEPLOYED = Pattern.compile("Deployment of (web application archive \\[.*ROOT\\.war"
            + "|deployment descriptor \\[.*ROOT\\.xml)\\] has finished|Reloading Context with name \\[\\] is completed");

    private final Path home;
    private final int shutdownPort;

    private TomcatContainer(String name, Path home, Path base, int port, int shutdownPort, ContainerOptions options) {
        super(name, base, port, base.resolve("logs").resolve("catalina.out"), options);
        this.home = home;
        this.shutdownPort = shutdownPort;
    }

    /** Builds the CATALINA_BASE (nothing is started). */
    public static TomcatContainer create(Path catalinaHome, ContainerOptions options) {
        String name = catalinaHome.getFileName().toString().replace("apache-", "");
        int port = FreePorts.next();
        int shutdownPort = FreePorts.next();
        Path base = newBase(options, name, port);
        for (String dir : new String[] {"logs", "temp", "webapps", "work", "lib", "bin"}) {
            try {
                Files.createDirectories(base.resolve(dir));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        copyTree(catalinaHome.resolve("conf"), base.resolve("conf"));
        String serverXml = serverXml(read(catalinaHome.resolve("conf/server.xml")), port, shutdownPort);
        if (options.isHttp2c()) {
            serverXml = withHttp2c(serverXml, port);
        }
        if (options.jndi() != null) {
            serverXml = replaceOnce(serverXml, "</GlobalNamingResources>",
                    "  <!-- added by asyncreply tests: docs/examples/tomcat/global-resource.xml -->\n    "
                            + options.jndi().tomcatGlobalResource() + "\n  </GlobalNamingResources>");
            write(base.resolve("conf/Catalina/localhost/context.xml.default"), options.jndi().tomcatContextDefault());
        }
        write(base.resolve("conf/server.xml"), serverXml);
        String context = options.tomcatContextXml();
        if (!context.isEmpty()) {
            String contextXml = read(base.resolve("conf/context.xml"));
            int end = contextXml.lastIndexOf("</Context>");
            if (end < 0) {
                throw new IllegalStateException("no </Context> in " + catalinaHome.resolve("conf/context.xml"));
            }
            write(base.resolve("conf/context.xml"),
                    contextXml.substring(0, end) + "\n    <!-- added by asyncreply tests -->\n" + context + "\n"
                            + contextXml.substring(end));
        }
        for (Path jar : options.containerLibs()) {
            copyInto(jar, base.resolve("lib"));
        }
        try {
            Files.copy(options.war(), base.resolve("webapps/ROOT.war"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TomcatContainer(name, catalinaHome, base, port, shutdownPort, options);
    }

    /** The distribution's server.xml with our ports, loopback only; fails if the expected text is not there. */
    static String serverXml(String original, int port, int shutdownPort) {
        String xml = replaceOnce(original, "<Server port=\"8005\"",
                "<Server port=\"" + shutdownPort + "\" address=\"127.0.0.1\"");
        xml = replaceOnce(xml, "<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
                "<Connector port=\"" + port + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
        // No server version on Tomcat's own error pages (docs/deployment.md, "Server version").
        xml = replaceOnce(xml, "</Host>", "  <Valve className=\"org.apache.catalina.valves.ErrorReportValve\" "
                + "showReport=\"false\" showServerInfo=\"false\"/>\n      </Host>");
        // The AJP connector ships commented out in 10.1 and 11; make sure it stays that way.
        if (Pattern.compile("^\\s*<Connector protocol=\"AJP", Pattern.MULTILINE).matcher(stripComments(xml)).find()) {
            throw new IllegalStateException("server.xml has an active AJP connector");
        }
        return xml;
    }

    /** {@code xml} whose HTTP connector (on {@code port}) also speaks h2c: Tomcat's Http2Protocol as its upgrade protocol. */
    static String withHttp2c(String xml, int port) {
        String start = "<Connector port=\"" + port + "\"";
        int at = xml.indexOf(start);
        int end = at < 0 ? -1 : xml.indexOf("/>", at);
        if (end < 0 || xml.indexOf('>', at) < end) {
            throw new IllegalStateException("expected one self-closing '" + start + " ... />' in server.xml");
        }
        return xml.substring(0, end) + ">\n      <!-- added by asyncreply tests: h2c -->\n"
                + "      <UpgradeProtocol className=\"org.apache.coyote.http2.Http2Protocol\"/>\n    </Connector>"
                + xml.substring(end + 2);
    }

    @Override
    protected ProcessBuilder launch() {
        ProcessBuilder pb = ManagedProcess.builder(base, "sh", home.resolve("bin/catalina.sh").toString(), "run");
        environment(pb);
        pb.environment().put("CATALINA_OPTS", String.join(" ", options.jvmArguments()));
        return pb;
    }

    @Override
    protected void launched(Process started) {
        // "catalina.sh run" execs java, so this is the JVM's pid; "catalina.sh stop -force" reads it.
        write(pidFile(), started.pid() + "\n");
    }

    @Override
    protected void requestStop(Process running) {
        long seconds = Math.max(1, options.stopTimeout().toSeconds());
        ProcessBuilder pb = ManagedProcess.builder(base, "sh", home.resolve("bin/catalina.sh").toString(), "stop",
                Long.toString(seconds), "-force");
        environment(pb);
        ManagedProcess.run(pb, base.resolve("logs/stop.out"), options.stopTimeout().plus(Duration.ofSeconds(30)));
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

    public int shutdownPort() {
        return shutdownPort;
    }

    private Path pidFile() {
        return base.resolve("tomcat.pid");
    }

    private void environment(ProcessBuilder pb) {
        pb.environment().put("CATALINA_HOME", home.toString());
        pb.environment().put("CATALINA_BASE", base.toString());
        pb.environment().put("CATALINA_PID", pidFile().toString());
    }

    private static String replaceOnce(String text, String find, String replacement) {
        int at = text.indexOf(find);
        if (at < 0 || text.indexOf(find, at + 1) >= 0) {
            throw new IllegalStateException("expected exactly one '" + find + "' in server.xml");
        }
        return text.substring(0, at) + replacement + text.substring(at + find.length());
    }

    private static String stripComments(String xml) {
        return xml.replaceAll("(?s)<!--.*?-->", "");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
