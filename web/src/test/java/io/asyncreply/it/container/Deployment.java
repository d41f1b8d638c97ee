package io.asyncreply.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.it.EmbeddedWar;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The built WAR deployed as the root application of one real container with one durable store,
 * configured the way docs/deployment.md tells an operator to:
 * <ul>
 * <li>{@link Store#H2}: {@code asyncreply.store=h2} with {@code asyncreply.h2.dir} inside the
 * instance's base directory (as docs/examples/tomcat/setenv.sh sets them), so runs never share
 * data and a restart on the same base finds the same database;</li>
 * <li>{@link Store#POSTGRES_JNDI}: the docs/examples JNDI files pointing at a {@link FreshSchema}
 * of the CI database, the driver in the container's lib; Tomcat selects the store with the
 * {@code <Parameter>} of tomcat/context.xml.default, Jetty with {@code -Dasyncreply.store=jndi}
 * (what jetty/setup-jetty-base.sh writes into start.d).</li>
 * </ul>
 * Neither writes a {@code conf/Catalina/localhost/ROOT.xml}: Tomcat deletes it with the WAR, and
 * the WAR's own META-INF/context.xml carries {@code swallowAbortedUploads="false"}.
 * Settings are system properties of the container JVM ({@code -Dasyncreply.x=y}).
 */
final class Deployment implements AutoCloseable {

    enum Store {
        H2, POSTGRES_JNDI
    }

    private static final Pattern STARTED = Pattern.compile("asyncreply started: store ");

    private final ContainerKind kind;
    private final Store store;
    private final ServletContainer container;
    private final FreshSchema schema;

    private Deployment(ContainerKind kind, Store store, ServletContainer container, FreshSchema schema) {
        this.kind = kind;
        this.store = store;
        this.container = container;
        this.schema = schema;
    }

    /**
     * The settings of the embedded contract run ({@link EmbeddedWar#testSettings()}: 2 workers,
     * queue capacity 64) without its store, so the suite behaves the same in every container.
     */
    static Map<String, String> contractSettings() {
        Map<String, String> settings = new LinkedHashMap<>(EmbeddedWar.testSettings());
        settings.remove("asyncreply.store");
        return settings;
    }

    /**
     * Builds the instance (nothing started). With {@link Store#POSTGRES_JNDI} the schema is created
     * first; the test is skipped (or fails with CI=true) when PostgreSQL is unreachable.
     */
    static Deployment create(ContainerKind kind, Store store, Map<String, String> settings) {
        FreshSchema schema = store == Store.POSTGRES_JNDI ? FreshSchema.createOrSkip() : null;
        try {
            ContainerOptions options = ContainerOptions.forWar(Containers.war())
                    .readyWhen("/health", status -> status == 200);
            settings.forEach(options::systemProperty);
            if (schema != null) {
                options.jndi(schema.dataSource());
                if (!kind.isTomcat()) {
                    options.systemProperty("asyncreply.store", "jndi");
                }
            }
            ServletContainer container = kind.create(options);
            if (store == Store.H2) {
                // read at launch, so the base directory (chosen by create) can be named now
                options.systemProperty("asyncreply.store", "h2");
                options.systemProperty("asyncreply.h2.dir", h2Dir(container));
            }
            return new Deployment(kind, store, container, schema);
        } catch (RuntimeException | Error e) {
            closeQuietly(schema);
            throw e;
        }
    }

    ServletContainer container() {
        return container;
    }

    ContainerKind kind() {
        return kind;
    }

    Store store() {
        return store;
    }

    /** Starts the container (until GET /health is 200) and checks in its log that the app uses the intended store. */
    void start() {
        long mark = container.containerLog().mark();
        container.start();
        String line = container.containerLog().awaitLine(STARTED, mark, Duration.ofSeconds(30));
        assertThat(line).as("store in use in %s (log %s)", container, container.log()).contains(expectedStore());
    }

    /** What the application logs as its store when it starts. */
    String expectedStore() {
        return store == Store.H2 ? "store h2 " + h2Dir(container) + "/tasks.mv.db"
                : "store jndi java:comp/env/" + JndiDataSource.DEFAULT_NAME;
    }

    @Override
    public String toString() {
        return container + " with " + (store == Store.H2 ? "the embedded H2 store" : "PostgreSQL by JNDI");
    }

    /** Stops the container if it runs, then drops the schema. Never throws. */
    @Override
    public void close() {
        try {
            container.close();
        } finally {
            closeQuietly(schema);
        }
    }

    private static String h2Dir(ServletContainer container) {
        return container.base().resolve("data").toString();
    }

    private static void closeQuietly(FreshSchema schema) {
        if (schema == null) {
            return;
        }
        try {
            schema.close();
        } catch (Exception e) {
            System.out.println("could not drop schema " + schema.schema() + ": " + e);
        }
    }
}
