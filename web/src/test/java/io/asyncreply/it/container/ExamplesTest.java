package io.asyncreply.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The docs/examples files still have the fields the container tests fill in (fast, no container). */
class ExamplesTest {

    private final JndiDataSource ds = new JndiDataSource("jdbc/tasks", "jdbc:postgresql://127.0.0.1:5432/test?a=1&b=2",
            "postgres", "s\"cret");

    @Test
    void tomcatGlobalResourceGetsTheDatabase() {
        String xml = Examples.tomcatGlobalResource(ds);

        assertThat(xml).startsWith("<!--")
                .contains("url=\"jdbc:postgresql://127.0.0.1:5432/test?a=1&amp;b=2\"")
                .contains("username=\"postgres\"")
                .contains("password=\"s&quot;cret\"")
                .contains("<Resource name=\"jdbc/asyncreply\"")
                .doesNotContain("db.example.com").doesNotContain("<?xml");
    }

    @Test
    void tomcatContextDefaultLinksTheGlobalResourceAndChoosesTheStore() {
        String xml = Examples.tomcatContextDefault(ds);

        assertThat(xml).contains("<ResourceLink name=\"jdbc/tasks\" global=\"jdbc/asyncreply\"")
                .contains("<Parameter name=\"asyncreply.store\" value=\"jndi\" override=\"false\"/>");
    }

    @Test
    void jettyEnvironmentXmlGetsTheDatabase() {
        String xml = Examples.jettyJndiXml(ds);

        assertThat(xml).contains("<Set name=\"url\">jdbc:postgresql://127.0.0.1:5432/test?a=1&amp;b=2</Set>")
                .contains("<Set name=\"user\">postgres</Set>")
                .contains("<Set name=\"password\">s&quot;cret</Set>")
                .contains("<Arg>jdbc/tasks</Arg>")
                .contains("org.eclipse.jetty.plus.jndi.EnvEntry")
                .doesNotContain("db.example.com");
    }
}
