package io.asyncreply.it.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ready-to-copy files in docs/examples, with the database coordinates replaced, so that the
 * containers in the tests are configured exactly as the examples tell operators to.
 */
public final class Examples {

    private Examples() {
    }

    /** docs/examples ({@code asyncreply.examples.dir}, set by failsafe; default ../docs/examples). */
    public static Path dir() {
        String value = System.getProperty("asyncreply.examples.dir");
        Path dir = value == null || value.isBlank() ? Path.of("..", "docs", "examples").toAbsolutePath().normalize()
                : Path.of(value);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("docs/examples not found at " + dir + " (asyncreply.examples.dir)");
        }
        return dir;
    }

    /** tomcat/global-resource.xml (inside server.xml's GlobalNamingResources) pointing at {@code ds}. */
    public static String tomcatGlobalResource(JndiDataSource ds) {
        String xml = read("tomcat/global-resource.xml");
        xml = replace(xml, "\\burl=\"([^\"]*)\"", ds.url());
        xml = replace(xml, "\\busername=\"([^\"]*)\"", ds.user());
        xml = replace(xml, "\\bpassword=\"([^\"]*)\"", ds.password());
        return xml.replaceFirst("(?s)^<\\?xml[^>]*\\?>\\s*", "");
    }

    /** tomcat/context.xml.default ($CATALINA_BASE/conf/Catalina/localhost/) linking {@code ds.name()}. */
    public static String tomcatContextDefault(JndiDataSource ds) {
        String xml = read("tomcat/context.xml.default");
        return replace(xml, "<ResourceLink name=\"([^\"]*)\"", ds.name());
    }

    /** jetty/ee10-asyncreply-jndi.xml ($JETTY_BASE/environments/) pointing at {@code ds}. */
    public static String jettyJndiXml(JndiDataSource ds) {
        String xml = read("jetty/ee10-asyncreply-jndi.xml");
        xml = replace(xml, "default=\"ee10\"/></Arg>\\s*<Arg>([^<]*)</Arg>", ds.name());
        xml = replace(xml, "<Set name=\"url\">([^<]*)</Set>", ds.url());
        xml = replace(xml, "<Set name=\"user\">([^<]*)</Set>", ds.user());
        xml = replace(xml, "<Set name=\"password\">([^<]*)</Set>", ds.password());
        return xml;
    }

    /** tomcat/container-auth.xml: the authenticator valve, for the {@code <Context>} of the container's defaults. */
    public static String tomcatAuthValve() {
        return read("tomcat/container-auth.xml").replaceFirst("(?s)^<\\?xml[^>]*\\?>\\s*", "");
    }

    /** jetty/ee10-asyncreply-auth.xml ($JETTY_BASE/environments/): Basic with a HashLoginService. */
    public static String jettyAuthXml() {
        return read("jetty/ee10-asyncreply-auth.xml");
    }

    static String read(String relative) {
        try {
            return Files.readString(dir().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces group 1 of the only match of {@code regex} (outside XML comments) with {@code value}, XML-escaped. */
    static String replace(String xml, String regex, String value) {
        Matcher m = Pattern.compile(regex).matcher(xml);
        int found = -1;
        while (m.find()) {
            if (insideComment(xml, m.start())) {
                continue;
            }
            if (found >= 0) {
                throw new IllegalStateException("more than one /" + regex + "/ in the example");
            }
            found = m.start();
        }
        if (found < 0) {
            throw new IllegalStateException("no /" + regex + "/ in the example");
        }
        m.find(found);
        return xml.substring(0, m.start(1)) + JndiDataSource.xml(value) + xml.substring(m.end(1));
    }

    private static boolean insideComment(String xml, int at) {
        int open = xml.lastIndexOf("<!--", at);
        return open >= 0 && xml.indexOf("-->", open) > at;
    }
}
