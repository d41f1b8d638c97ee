package io.asyncreply.it.container.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes a minimal WAR with {@link JndiProbeServlet} at {@code /jndi}; no libraries inside. */
public final class ProbeWar {

    private static final String WEB_XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
              <display-name>jndi-probe</display-name>
              <servlet>
                <servlet-name>jndi</servlet-name>
                <servlet-class>%s</servlet-class>
              </servlet>
              <servlet-mapping>
                <servlet-name>jndi</servlet-name>
                <url-pattern>/jndi</url-pattern>
              </servlet-mapping>
            </web-app>
            """.formatted(JndiProbeServlet.class.getName());

    private ProbeWar() {
    }

    public static Path write(Path war) {
        String classEntry = "WEB-INF/classes/" + JndiProbeServlet.class.getName().replace('.', '/') + ".class";
        try {
            Files.createDirectories(war.getParent());
            try (OutputStream file = Files.newOutputStream(war);
                    ZipOutputStream zip = new ZipOutputStream(file);
                    InputStream classBytes = JndiProbeServlet.class.getResourceAsStream(
                            JndiProbeServlet.class.getSimpleName() + ".class")) {
                if (classBytes == null) {
                    throw new IllegalStateException("class file of " + JndiProbeServlet.class + " not found");
                }
                zip.putNextEntry(new ZipEntry("WEB-INF/web.xml"));
                zip.write(WEB_XML.getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
                zip.putNextEntry(new ZipEntry(classEntry));
                classBytes.transferTo(zip);
                zip.closeEntry();
            }
            return war;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
