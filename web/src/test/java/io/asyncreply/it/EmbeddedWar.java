package io.asyncreply.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jetty.ee.webapp.WebAppClassLoader;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The built WAR ({@code -Dasyncreply.war}, set by failsafe) deployed in embedded Jetty 12 ee10 on
 * 127.0.0.1, a free port, context path {@code /}.
 *
 * <p>Settings are given as an override descriptor (like a container's {@code override-web.xml}),
 * so they beat the WAR's own context-params, stay local to this server (no JVM-wide system
 * properties, so several servers with different settings can run in one JVM) and still lose to
 * system properties and environment variables, as the configuration rule says.
 *
 * <pre>{@code
 * try (EmbeddedWar war = new EmbeddedWar()) {
 *     URI base = war.start(EmbeddedWar.testSettings());
 *     ...
 * }
 * }</pre>
 */
public final class EmbeddedWar implements AutoCloseable {
    /** System property naming the store the embedded servers use; default {@code h2}, the product's default. */
    public static final String STORE_PROPERTY = "contract.store";

    private int maxThreads = 200;
    private String extraClasspath;
    private long idleTimeoutMillis = 30_000; // Jetty's default
    private boolean http2c;
    private Server server;
    private WebAppContext app;
    private Path workDir;
    private URI baseUrl;

    /**
     * A directory of classes and resources the application sees as if it were in its
     * {@code WEB-INF/classes} (a test's own task handler, listed in
     * {@code META-INF/services}); call before {@link #start}.
     */
    public EmbeddedWar extraClasspath(Path dir) {
        this.extraClasspath = dir.toAbsolutePath().toString();
        return this;
    }

    /** The container's thread pool size (default 200); call before {@link #start}. */
    public EmbeddedWar maxThreads(int threads) {
        this.maxThreads = threads;
        return this;
    }

    /** The connector's idle timeout (default 30 s, Jetty's); call before {@link #start}. */
    public EmbeddedWar idleTimeout(java.time.Duration timeout) {
        this.idleTimeoutMillis = timeout.toMillis();
        return this;
    }

    /**
     * Serve HTTP/2 cleartext (h2c, by prior knowledge or by upgrade) beside HTTP/1.1 on the same
     * port, as Jetty's {@code http2c} module does; call before {@link #start}.
     */
    public EmbeddedWar http2c() {
        this.http2c = true;
        return this;
    }

    /**
     * Settings for tests: 2 workers, queue capacity 64, an event stream heartbeat every second, and the store named by
     * {@code -Dcontract.store}: {@code h2} by default (the product's default store, in a fresh
     * directory per server), or {@code memory}.
     */
    public static Map<String, String> testSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("asyncreply.workers", "2");
        s.put("asyncreply.queue.capacity", "64");
        s.put("asyncreply.events.heartbeat", "1s"); // the contract's 15 s, quicker to watch
        s.put("asyncreply.store", store());
        s.put("asyncreply.webhooks.secret", "whsec_dGVzdC1zZWNyZXQtb2YtdGhlLWVtYmVkZGVkLXdhcg=="); // callbacks on
        return s;
    }

    /** The store embedded test servers use: {@code -Dcontract.store}, default {@code h2}. */
    public static String store() {
        String s = System.getProperty(STORE_PROPERTY);
        return s == null || s.isBlank() ? "h2" : s.trim();
    }

    /** The WAR under test. */
    public static Path war() {
        String war = System.getProperty("asyncreply.war");
        if (war == null || war.isBlank()) {
            throw new IllegalStateException("System property asyncreply.war is not set; run the ITs with "
                    + "'mvn verify' (failsafe sets it to target/asyncreply.war).");
        }
        Path p = Path.of(war);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("asyncreply.war=" + war + " does not exist; build the WAR first.");
        }
        return p;
    }

    /**
     * Deploys the WAR with {@code settings} (setting name to value, e.g. {@code asyncreply.workers
     * -> 2}) and returns the base URL, ending in {@code /}.
     */
    public URI start(Map<String, String> settings) throws Exception {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        workDir = Files.createTempDirectory("asyncreply-embedded-");
        Map<String, String> all = new LinkedHashMap<>(settings);
        if (!all.containsKey("asyncreply.h2.dir")) {
            all.put("asyncreply.h2.dir", workDir.resolve("h2").toString());
        }
        Path override = workDir.resolve("override-web.xml");
        Files.writeString(override, overrideDescriptor(all), StandardCharsets.UTF_8);

        QueuedThreadPool threads = new QueuedThreadPool(maxThreads, Math.min(8, maxThreads));
        threads.setName("embedded-jetty");
        server = new Server(threads);
        HttpConfiguration config = new HttpConfiguration();
        ServerConnector http = http2c
                ? new ServerConnector(server, 1, 1, new HttpConnectionFactory(config),
                        new HTTP2CServerConnectionFactory(config))
                : new ServerConnector(server, 1, 1);
        http.setHost("127.0.0.1");
        http.setPort(0);
        http.setIdleTimeout(idleTimeoutMillis);
        server.addConnector(http);

        app = new WebAppContext();
        app.setContextPath("/");
        app.setWar(war().toString());
        // The test classpath holds Jersey, Jackson and more in other versions: the WAR must see
        // only what a real container gives it (the Servlet API and the container's own classes).
        if (extraClasspath != null) {
            app.setExtraClasspath(extraClasspath);
        }
        app.setClassLoader(new WebAppClassLoader(containerOnly(), app));
        app.setTempDirectory(Files.createDirectories(workDir.resolve("webapp")).toFile());
        app.addOverrideDescriptor(override.toUri().toString());
        app.setThrowUnavailableOnStartupException(true);
        server.setHandler(app);
        this.app = app;
        server.setStopAtShutdown(true);
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw e;
        }
        baseUrl = URI.create("http://127.0.0.1:" + http.getLocalPort() + "/");
        return baseUrl;
    }

    /**
     * Puts {@code filter} into the running application right after the filter named {@code after}
     * (in web.xml), for every path, for requests: how a test plays a part that is the
     * container's, such as deciding the caller in place of a real authentication. The filter's class
     * is the test's; the application's classes are reached through {@link #classLoader()}.
     */
    public void insertFilterAfter(String after, jakarta.servlet.Filter filter) throws Exception {
        org.eclipse.jetty.ee10.servlet.ServletHandler handler = app.getServletHandler();
        org.eclipse.jetty.ee10.servlet.FilterHolder holder = new org.eclipse.jetty.ee10.servlet.FilterHolder(filter);
        holder.setName("test-" + filter.getClass().getSimpleName());
        holder.setAsyncSupported(true);
        handler.addFilter(holder);
        if (!holder.isStarted()) {
            holder.start();
        }
        holder.initialize();
        org.eclipse.jetty.ee10.servlet.FilterMapping mapping = new org.eclipse.jetty.ee10.servlet.FilterMapping();
        mapping.setFilterName(holder.getName());
        mapping.setPathSpec("/*");
        mapping.setDispatcherTypes(java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
        java.util.List<org.eclipse.jetty.ee10.servlet.FilterMapping> mappings = new java.util.ArrayList<>(
                java.util.List.of(handler.getFilterMappings()));
        int at = -1;
        for (int i = 0; i < mappings.size(); i++) {
            if (mappings.get(i).getFilterName().equals(after)) {
                at = i;
            }
        }
        if (at < 0) {
            throw new IllegalArgumentException("no filter mapping named " + after);
        }
        mappings.add(at + 1, mapping);
        handler.setFilterMappings(mappings.toArray(new org.eclipse.jetty.ee10.servlet.FilterMapping[0]));
    }

    /** The deployed application's class loader. */
    public ClassLoader classLoader() {
        return app.getClassLoader();
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** Stops the web application while the server goes on (a hot undeploy): its connections stay open. */
    public void undeploy() throws Exception {
        app.stop();
    }

    @Override
    public void close() throws Exception {
        try {
            if (server != null) {
                server.stop();
                server.join();
            }
        } finally {
            server = null;
            app = null;
            if (workDir != null) {
                deleteTree(workDir);
                workDir = null;
            }
        }
    }

    /** A parent class loader with the JDK, the Servlet API and Jetty, and nothing else of the test classpath. */
    private static ClassLoader containerOnly() {
        ClassLoader tests = EmbeddedWar.class.getClassLoader();
        return new ClassLoader("embedded-container", ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                if (name.startsWith("jakarta.servlet.") || name.startsWith("org.eclipse.jetty.")) {
                    return tests.loadClass(name);
                }
                throw new ClassNotFoundException(name);
            }

            @Override
            protected URL findResource(String name) {
                return containers(name) ? tests.getResource(name) : null;
            }

            @Override
            protected Enumeration<URL> findResources(String name) throws IOException {
                return containers(name) ? tests.getResources(name) : Collections.emptyEnumeration();
            }

            private boolean containers(String resource) {
                return resource.startsWith("jakarta/servlet/") || resource.startsWith("org/eclipse/jetty/");
            }
        };
    }

    private static String overrideDescriptor(Map<String, String> settings) {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"6.0\">\n");
        settings.forEach((name, value) -> b.append("  <context-param><param-name>").append(xml(name))
                .append("</param-name><param-value>").append(xml(value)).append("</param-value></context-param>\n"));
        return b.append("</web-app>\n").toString();
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: a temp directory
        }
    }
}
