package io.asyncreply.it.container;

import java.util.Objects;

/**
 * A PostgreSQL DataSource that the container binds as {@code java:comp/env/<name>}
 * (Tomcat: a {@code <Resource>} in {@code conf/context.xml}; Jetty: an {@code ee10} environment XML).
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

    /** Tomcat: a DBCP2 pool ({@code tomcat-dbcp.jar} ships with Tomcat), closed when the context stops. */
    String tomcatResource() {
        return "<Resource name=\"" + xml(name) + "\" auth=\"Container\" type=\"javax.sql.DataSource\"\n"
                + "            driverClassName=\"org.postgresql.Driver\"\n"
                + "            url=\"" + xml(url) + "\"\n"
                + "            username=\"" + xml(user) + "\" password=\"" + xml(password) + "\"\n"
                + "            maxTotal=\"20\" maxIdle=\"5\" maxWaitMillis=\"10000\"\n"
                + "            validationQuery=\"SELECT 1\" testOnBorrow=\"true\"\n"
                + "            closeMethod=\"close\"/>\n";
    }

    /**
     * Jetty 12 ee10: an environment XML (applies to every ee10 web application). An {@code EnvEntry}
     * is bound into {@code java:comp/env} without a {@code <resource-ref>} in the WAR's web.xml
     * (a {@code Resource} would need one).
     */
    String jettyEnvironmentXml() {
        return """
                <?xml version="1.0"?>
                <!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "https://jetty.org/configure_10_0.dtd">
                <Configure id="wac" class="org.eclipse.jetty.ee10.webapp.WebAppContext">
                  <New class="org.eclipse.jetty.plus.jndi.EnvEntry">
                    <Arg><Ref refid="wac"/></Arg>
                    <Arg>%s</Arg>
                    <Arg>
                      <New class="org.postgresql.ds.PGSimpleDataSource">
                        <Set name="url">%s</Set>
                        <Set name="user">%s</Set>
                        <Set name="password">%s</Set>
                      </New>
                    </Arg>
                    <Arg type="boolean">true</Arg>
                  </New>
                </Configure>
                """.formatted(xml(name), xml(url), xml(user), xml(password));
    }

    static String xml(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&apos;");
    }
}
