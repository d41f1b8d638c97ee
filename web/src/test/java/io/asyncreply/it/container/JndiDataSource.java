package io.asyncreply.it.container;

import java.util.Objects;

/**
 * A PostgreSQL DataSource that the container binds as {@code java:comp/env/<name>}, configured
 * with the files of docs/examples (Tomcat: a global {@code <Resource>} in {@code conf/server.xml}
 * and {@code conf/Catalina/localhost/context.xml.default} with a {@code <ResourceLink>}, which also
 * sets {@code asyncreply.store=jndi}; Jetty: the ee10 environment
 * XML {@code environments/ee10-asyncreply-jndi.xml} with an {@code EnvEntry}).
 *
 * @param name JNDI name relative to {@code java:comp/env}, e.g. {@code jdbc/tasks}
 */
public record JndiDataSource(String name, String url, String user, String password) {

    public static final String DEFAULT_NAME = "jdbc/tasks";

    public JndiDataSource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(user, "user");
        password = password == null ? "" : password;
    }

    public static JndiDataSource postgres(String url, String user, String password) {
        return new JndiDataSource(DEFAULT_NAME, url, user, password);
    }

    /**
     * The CI database (see .ci/run): {@code jdbc:postgresql://127.0.0.1:5432/test} as {@code postgres},
     * overridable with -Dasyncreply.it.jdbc.url / .user / .password.
     */
    public static JndiDataSource ciPostgres() {
        return postgres(
                System.getProperty("asyncreply.it.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/test"),
                System.getProperty("asyncreply.it.jdbc.user", "postgres"),
                System.getProperty("asyncreply.it.jdbc.password", ""));
    }

    /** docs/examples/tomcat/global-resource.xml for this database: pasted into server.xml's GlobalNamingResources. */
    String tomcatGlobalResource() {
        return Examples.tomcatGlobalResource(this);
    }

    /** docs/examples/tomcat/context.xml.default linking this name: written to conf/Catalina/localhost/. */
    String tomcatContextDefault() {
        return Examples.tomcatContextDefault(this);
    }

    /** docs/examples/jetty/ee10-asyncreply-jndi.xml for this database: written to environments/. */
    String jettyEnvironmentXml() {
        return Examples.jettyJndiXml(this);
    }

    static String xml(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&apos;");
    }
}
