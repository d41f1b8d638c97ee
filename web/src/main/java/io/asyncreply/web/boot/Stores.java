package io.asyncreply.web.boot;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.store.TaskStore;
import io.asyncreply.store.jdbc.JdbcTaskStore;
import io.asyncreply.web.config.WebConfig;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Opens the store that {@code asyncreply.store} names, with whatever it needs (pool, embedded
 * database), and closes all of it on undeploy: the store's threads, the pool, the embedded
 * database, and the JDBC drivers this application registered (so the container reports no leak).
 */
public final class Stores {
    private static final System.Logger LOG = System.getLogger(Stores.class.getName());
    /** Resources to release with each store we opened. */
    private static final Map<TaskStore, AutoCloseable> RESOURCES = new ConcurrentHashMap<>();

    /**
     * PostgreSQL by URL: how long a connection waits for an answer from the server before it fails,
     * unless the URL sets {@code socketTimeout} itself (0 there means forever). The driver's own
     * default is forever: when the database host vanishes without closing the connection (network
     * partition, host power loss, a firewall dropping the flow) a statement in flight would block
     * its thread until the kernel gives up on the connection, about 15 minutes. Every submission
     * waits for the single group-commit writer, so intake would hang rather than answer 503.
     */
    static final int POSTGRES_SOCKET_TIMEOUT_SECONDS = 30;

    /** How long {@link #closePool} waits for the pool's threads to end after close(). */
    static final long POOL_THREADS_WAIT_MILLIS = 2_000;

    static final String STORE_MISSING = "Setting asyncreply.store (environment ASYNCREPLY_STORE) is not set; "
            + "expected h2, jndi, jdbc or memory. The application has no default store, so that it never starts "
            + "on another store than the one configured: if it was set before, its configuration is gone (Tomcat "
            + "deletes conf/Catalina/localhost/ROOT.xml when webapps/ROOT.war is deleted; see docs/deployment.md).";

    static final String H2_DIR_MISSING = "asyncreply.store=h2 needs setting asyncreply.h2.dir (environment "
            + "ASYNCREPLY_H2_DIR): the directory of this application's database (tasks.mv.db), one per running "
            + "application, such as $CATALINA_BASE/data or $JETTY_BASE/data.";

    /** H2's error code for a database file locked by another process or class loader (ErrorCode.DATABASE_ALREADY_OPEN_1). */
    static final int H2_DATABASE_ALREADY_OPEN = 90020;

    /** Where the embedded database lived by default before the setting was required. */
    static final Path PREVIOUS_DEFAULT = Path.of(System.getProperty("user.home"), ".asyncreply", "tasks.mv.db");

    private Stores() {
    }

    /** A store and how to describe it in the log (never with a password). */
    record Opened(TaskStore store, String description) {
        void close() {
            Stores.close(store);
        }
    }

    /**
     * Opens the configured store. There is no default: without {@code asyncreply.store} (and, for
     * H2, {@code asyncreply.h2.dir}) nothing starts.
     *
     * <p>Hazard: a default would let a deployment whose configuration vanished start quietly on
     * another, empty store, and every task would seem gone. That happens on Tomcat, which deletes
     * {@code conf/Catalina/localhost/ROOT.xml} (DataSource, password, settings) when
     * {@code webapps/ROOT.war} is deleted: redeployed, the application would have found no
     * {@code asyncreply.store} there and opened an H2 file instead of the PostgreSQL database.
     */
    static Opened open(WebConfig config) {
        if (config.store() == null) {
            throw new IllegalStateException(STORE_MISSING);
        }
        switch (config.store()) {
            case WebConfig.STORE_MEMORY:
                return new Opened(new MemoryTaskStore(), "memory (not durable)");
            case WebConfig.STORE_H2:
                return h2(config);
            case WebConfig.STORE_JNDI: {
                DataSource ds;
                try {
                    ds = (DataSource) new InitialContext().lookup(config.jndiName());
                } catch (NamingException | ClassCastException e) {
                    throw new IllegalStateException("No DataSource at " + config.jndiName()
                            + " (setting asyncreply.jndi.name): " + e.getMessage() + ". A Resource declared in "
                            + "Tomcat's conf/Catalina/localhost/ROOT.xml is deleted with webapps/ROOT.war; "
                            + "see docs/deployment.md.", e);
                }
                return jdbc(ds, () -> { }, config, "jndi " + config.jndiName());
            }
            case WebConfig.STORE_JDBC: {
                if (config.jdbcUrl() == null) {
                    throw new IllegalArgumentException("asyncreply.store=jdbc needs asyncreply.jdbc.url "
                            + "(environment ASYNCREPLY_JDBC_URL).");
                }
                HikariConfig hc = pool("asyncreply-jdbc", config.poolSize());
                hc.setJdbcUrl(config.jdbcUrl());
                String driver = driverFor(config.jdbcUrl());
                if (driver != null) {
                    hc.setDriverClassName(driver);
                }
                postgresDefaults(config.jdbcUrl()).forEach(hc::addDataSourceProperty);
                if (config.jdbcUser() != null) {
                    hc.setUsername(config.jdbcUser());
                }
                if (config.jdbcPassword() != null) {
                    hc.setPassword(config.jdbcPassword());
                }
                return jdbc(new HikariDataSource(hc), config, "jdbc " + withoutSecrets(config.jdbcUrl()));
            }
            default:
                throw new IllegalArgumentException("Unknown store '" + config.store() + "'.");
        }
    }

    /**
     * The embedded H2 database in {@code asyncreply.h2.dir}. A database file that another server
     * holds (another process, or another application in this JVM: each has its own copy of H2)
     * fails the start with a message naming the file and the setting, instead of H2's
     * "Database may be already in use" deep in a stack trace.
     */
    private static Opened h2(WebConfig config) {
        if (config.h2Dir() == null) {
            throw new IllegalStateException(H2_DIR_MISSING);
        }
        Path dir = Path.of(config.h2Dir()).toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create the data directory " + dir
                    + " (setting asyncreply.h2.dir): " + e.getMessage(), e);
        }
        Path file = dir.resolve("tasks.mv.db");
        if (!Files.exists(file) && Files.exists(PREVIOUS_DEFAULT) && !PREVIOUS_DEFAULT.equals(file)) {
            LOG.log(Level.WARNING, "creating a new, empty task database {0}; a database from an earlier version's "
                    + "default location exists at {1}: to keep its tasks, stop now and set asyncreply.h2.dir={2}",
                    file, PREVIOUS_DEFAULT, PREVIOUS_DEFAULT.getParent());
        }
        // FILE_LOCK=FS: an OS lock, released when a killed process dies (no stale lock file,
        // no watchdog thread). DB_CLOSE_ON_EXIT=FALSE: no JVM shutdown hook from a webapp;
        // the database closes when the pool closes its last connection.
        String url = "jdbc:h2:file:" + dir.resolve("tasks") + ";FILE_LOCK=FS;DB_CLOSE_ON_EXIT=FALSE";
        HikariConfig hc = pool("asyncreply-h2", config.poolSize());
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL(url);
        hc.setDataSource(h2);
        try {
            return jdbc(new HikariDataSource(hc), config, "h2 " + file);
        } catch (RuntimeException e) {
            if (inUse(e)) {
                throw new IllegalStateException(inUseMessage(file), e);
            }
            throw e;
        }
    }

    static String inUseMessage(Path file) {
        return "The task database " + file + " is in use by another server (another process, or another "
                + "application in this JVM). One database directory serves one running application: stop the "
                + "other one, or give this one a directory of its own with setting asyncreply.h2.dir (environment "
                + "ASYNCREPLY_H2_DIR).";
    }

    /** Whether H2 refused the database because it is open elsewhere (somewhere in the cause chain). */
    static boolean inUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getErrorCode() == H2_DATABASE_ALREADY_OPEN) {
                return true;
            }
        }
        return false;
    }

    /**
     * The class name of a JDBC driver visible to this application that accepts {@code url}, or
     * {@code null} (then HikariCP asks DriverManager). HikariCP's own lookup, DriverManager.getDriver,
     * finds only drivers already registered: DriverManager loads service-provider drivers once per JVM,
     * with the class loader of its first user. In a container that initialised it before this
     * application was deployed (Tomcat's JreMemoryLeakPreventionListener does so at startup; any
     * redeploy after our undeploy deregistered our drivers; an embedded server in a JVM that used
     * JDBC first), the drivers in WEB-INF/lib are never registered and the pool fails with "No
     * suitable driver". Loading them here through our own class loader registers them (and
     * deregisterDrivers() removes them again on undeploy).
     */
    static String driverFor(String url) {
        Iterator<Driver> drivers = ServiceLoader.load(Driver.class, Stores.class.getClassLoader()).iterator();
        for (int i = 0; i < 100; i++) { // bounded: a broken provider entry must not loop forever
            Driver d;
            try {
                if (!drivers.hasNext()) {
                    return null;
                }
                d = drivers.next();
            } catch (ServiceConfigurationError e) {
                LOG.log(Level.DEBUG, "skipping a JDBC driver that cannot be loaded: {0}", e.getMessage());
                continue;
            }
            try {
                if (d.acceptsURL(url)) {
                    return d.getClass().getName();
                }
            } catch (SQLException e) {
                LOG.log(Level.DEBUG, "{0} cannot tell whether it accepts the URL: {1}", d.getClass().getName(),
                        e.getMessage());
            }
        }
        return null;
    }

    /**
     * The driver properties added to a PostgreSQL URL that does not set them itself:
     * {@code socketTimeout} (see {@link #POSTGRES_SOCKET_TIMEOUT_SECONDS}), and
     * {@code reWriteBatchedInserts=true}, which sends a group commit's INSERTs as multi-row
     * statements (measured: the writer's INSERT step of about 25 rows went from about 3 ms to 2 ms,
     * intake with its workers held from 4,700-5,200 to 6,000 requests/s). Empty for other databases.
     */
    static Map<String, String> postgresDefaults(String url) {
        String u = url.toLowerCase(Locale.ROOT);
        if (!u.startsWith("jdbc:postgresql:")) {
            return Map.of();
        }
        Map<String, String> p = new LinkedHashMap<>();
        if (!u.contains("sockettimeout=")) {
            p.put("socketTimeout", Integer.toString(POSTGRES_SOCKET_TIMEOUT_SECONDS));
        }
        if (!u.contains("rewritebatchedinserts=")) {
            p.put("reWriteBatchedInserts", "true");
        }
        return p;
    }

    private static HikariConfig pool(String name, int size) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(name);
        hc.setMaximumPoolSize(size);
        hc.setMinimumIdle(Math.min(2, size));
        hc.setConnectionTimeout(2_000);
        hc.setValidationTimeout(1_000);
        return hc;
    }

    private static Opened jdbc(HikariDataSource pool, WebConfig config, String description) {
        return jdbc(pool, () -> closePool(pool), config, description);
    }

    /**
     * Closes the pool, then waits (at most {@link #POOL_THREADS_WAIT_MILLIS}) until its threads have
     * ended. HikariCP's close() waits until its executors have terminated, but a terminated
     * executor's last thread is still alive for a moment; Tomcat looks for the application's
     * threads right after contextDestroyed and logged "appears to have started a thread named
     * [asyncreply-h2:connection-closer] but has failed to stop it. This is very likely to create a
     * memory leak" now and then. Only threads with this application's context class loader (those
     * Tomcat reports) are awaited, so another deployment's pool of the same name is never waited for.
     */
    static void closePool(HikariDataSource pool) {
        String prefix = pool.getPoolName() + ":";
        pool.close();
        ClassLoader ours = Stores.class.getClassLoader();
        long deadline = System.nanoTime() + POOL_THREADS_WAIT_MILLIS * 1_000_000L;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!t.getName().startsWith(prefix) || t.getContextClassLoader() != ours) {
                continue;
            }
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000L;
            if (leftMillis <= 0) {
                break;
            }
            try {
                t.join(leftMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** On PostgreSQL the store also listens for other nodes' changes (one pooled connection) unless turned off. */
    private static Opened jdbc(DataSource ds, AutoCloseable resources, WebConfig config, String description) {
        TaskStore store;
        try {
            store = JdbcTaskStore.builder(ds).listenNotify(config.listenNotify()).build();
        } catch (RuntimeException e) {
            closeQuietly(resources);
            throw e;
        }
        RESOURCES.put(store, resources);
        return new Opened(store, description);
    }

    static void close(TaskStore store) {
        try {
            store.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing the task store failed: {0}", e.getMessage());
        }
        AutoCloseable res = RESOURCES.remove(store);
        if (res != null) {
            closeQuietly(res);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "releasing the store's resources failed: {0}", e.getMessage());
        }
    }

    /**
     * Deregisters the JDBC drivers that this web application's class loader registered. Any
     * DriverManager use (a pool given a URL, or a library scanning for drivers) registers every
     * driver in WEB-INF/lib, whatever the store; the container would report each as a leak.
     */
    static void deregisterDrivers() {
        ClassLoader ours = Stores.class.getClassLoader();
        // getDrivers() checks every registered driver with Class.forName(its name, true, our loader).
        // When the container's lib holds a driver that WEB-INF/lib holds too (PostgreSQL for JNDI),
        // that loads our copy, which registers itself behind the snapshot being enumerated: only a
        // second call sees it (Tomcat's JdbcLeakPrevention calls twice for the same reason).
        DriverManager.getDrivers();
        for (Driver d : Collections.list(DriverManager.getDrivers())) {
            if (d.getClass().getClassLoader() == ours) {
                try {
                    DriverManager.deregisterDriver(d);
                } catch (SQLException | SecurityException e) {
                    LOG.log(Level.DEBUG, "could not deregister {0}: {1}", d.getClass().getName(), e.getMessage());
                }
            }
        }
    }

    /** The URL without a password parameter, for the log. */
    static String withoutSecrets(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
