package io.asyncreply.it.container;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;

/**
 * What to deploy and how, for {@link ContainerKind#create(ContainerOptions)}. A mutable builder:
 * {@code ContainerOptions.forWar(war).systemProperty("asyncreply.store", "jdbc").jndi(JndiDataSource.ciPostgres())}.
 */
public final class ContainerOptions {

    /** JVM options end up in CATALINA_OPTS, which catalina.sh passes through eval: no shell syntax. */
    private static final Pattern SAFE_OPTION = Pattern.compile("[^\\s'\"`$\\\\&;|<>()*?\\[\\]{}~#!]+");

    private final Path war;
    private String heap = "256m";
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private JndiDataSource jndi;
    private final List<Path> containerLibs = new ArrayList<>();
    private String tomcatContextXml = "";
    private String jettyEnvironmentXml;
    private String readyPath = "/";
    private IntPredicate readyStatus = status -> true;
    private Duration startTimeout = Duration.ofSeconds(90);
    private Duration stopTimeout = Duration.ofSeconds(20);
    private Duration redeployTimeout = Duration.ofSeconds(60);
    private Path runsDir = Containers.runsDir();
    private boolean http2c;

    private ContainerOptions(Path war) {
        this.war = Objects.requireNonNull(war, "war");
    }

    /** Deploys {@code war} as the root application (webapps/ROOT.war). */
    public static ContainerOptions forWar(Path war) {
        return new ContainerOptions(war);
    }

    /** {@code -Xmx} of the container JVM; default 256m. */
    public ContainerOptions heap(String xmx) {
        this.heap = checked(xmx);
        return this;
    }

    /** An extra JVM option, e.g. {@code -XX:+ExitOnOutOfMemoryError}. */
    public ContainerOptions jvmOption(String option) {
        jvmOptions.add(checked(option));
        return this;
    }

    /** A {@code -Dkey=value} for the container JVM (the app reads it with System.getProperty). */
    public ContainerOptions systemProperty(String key, String value) {
        checked(key + "=" + value);
        systemProperties.put(key, value);
        return this;
    }

    /** Binds a PostgreSQL DataSource at {@code java:comp/env/<name>}; puts the driver in the container's lib. */
    public ContainerOptions jndi(JndiDataSource dataSource) {
        this.jndi = Objects.requireNonNull(dataSource);
        return this;
    }

    /** A jar for the container's own class path (Tomcat: $CATALINA_BASE/lib; Jetty: $JETTY_BASE/lib/ext). */
    public ContainerOptions containerLib(Path jar) {
        containerLibs.add(Objects.requireNonNull(jar));
        return this;
    }

    /** Tomcat only: extra elements inserted into {@code conf/context.xml}'s {@code <Context>}. */
    public ContainerOptions tomcatContextXml(String elements) {
        this.tomcatContextXml = Objects.requireNonNull(elements);
        return this;
    }

    /**
     * Jetty only: a whole {@code <Configure class="org.eclipse.jetty.ee10.webapp.WebAppContext">}
     * document, written as {@code environments/ee10-asyncreply.xml} (applies to every ee10 webapp).
     */
    public ContainerOptions jettyEnvironmentXml(String document) {
        this.jettyEnvironmentXml = Objects.requireNonNull(document);
        return this;
    }

    /**
     * When the container counts as started (and redeployed): a GET of {@code path} answers with a
     * status matching {@code status}. Default: any answer on {@code /}.
     */
    public ContainerOptions readyWhen(String path, IntPredicate status) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /: " + path);
        }
        this.readyPath = path;
        this.readyStatus = Objects.requireNonNull(status);
        return this;
    }

    public ContainerOptions startTimeout(Duration timeout) {
        this.startTimeout = timeout;
        return this;
    }

    /** Graceful stop bound (Tomcat: {@code catalina.sh stop N -force}; Jetty: SIGTERM, then SIGKILL). */
    public ContainerOptions stopTimeout(Duration timeout) {
        this.stopTimeout = timeout;
        return this;
    }

    public ContainerOptions redeployTimeout(Duration timeout) {
        this.redeployTimeout = timeout;
        return this;
    }

    /**
     * HTTP/2 cleartext (h2c) on the HTTP port beside HTTP/1.1: Tomcat's {@code Http2Protocol} as the
     * connector's {@code <UpgradeProtocol>}, Jetty's {@code http2c} module.
     */
    public ContainerOptions http2c() {
        this.http2c = true;
        return this;
    }

    boolean isHttp2c() {
        return http2c;
    }

    public ContainerOptions runsDir(Path dir) {
        this.runsDir = dir;
        return this;
    }

    Path war() {
        return war;
    }

    /** -Xmx, -Duser.language (English log lines to match), extra options, then -D properties. */
    List<String> jvmArguments() {
        List<String> args = new ArrayList<>();
        args.add("-Xmx" + heap);
        args.add("-Duser.language=en");
        args.add("-Duser.country=US");
        args.addAll(jvmOptions);
        systemProperties.forEach((k, v) -> args.add("-D" + k + "=" + v));
        return args;
    }

    JndiDataSource jndi() {
        return jndi;
    }

    List<Path> containerLibs() {
        if (containerLibs.isEmpty() && jndi != null) {
            return Containers.containerLibs();
        }
        return List.copyOf(containerLibs);
    }

    String tomcatContextXml() {
        return tomcatContextXml;
    }

    String jettyEnvironmentXml() {
        return jettyEnvironmentXml;
    }

    String readyPath() {
        return readyPath;
    }

    IntPredicate readyStatus() {
        return readyStatus;
    }

    Duration startTimeout() {
        return startTimeout;
    }

    Duration stopTimeout() {
        return stopTimeout;
    }

    Duration redeployTimeout() {
        return redeployTimeout;
    }

    Path runsDir() {
        return runsDir;
    }

    private static String checked(String option) {
        if (!SAFE_OPTION.matcher(option).matches()) {
            throw new IllegalArgumentException("JVM option with blanks or shell syntax (catalina.sh evals CATALINA_OPTS): " + option);
        }
        return option;
    }
}
