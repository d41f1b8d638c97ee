package io.asyncreply.it.multinode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The WAR under test ({@code -Dasyncreply.war}) plus the test handler {@link RunRecorder} in
 * {@code WEB-INF/classes}, registered by {@code META-INF/services}: what a user deploying their
 * own handler does. The nodes' web applications see only their WAR (see
 * {@code io.asyncreply.it.jvm.WarMain}), so the handler must be inside it. Built once per JVM,
 * under {@code target/multinode/}.
 */
final class MultiNodeWar {
    private static final String SERVICES = "WEB-INF/classes/META-INF/services/io.asyncreply.task.TaskHandler";
    private static Path built;

    private MultiNodeWar() {
    }

    static synchronized Path get() {
        if (built == null) {
            built = build();
        }
        return built;
    }

    private static Path build() {
        String source = System.getProperty("asyncreply.war");
        if (source == null || !Files.isRegularFile(Path.of(source))) {
            throw new IllegalStateException("System property asyncreply.war does not name a WAR (" + source
                    + "); run the ITs with 'mvn verify'.");
        }
        String handler = RunRecorder.class.getName().replace('.', '/') + ".class";
        Path dir = Path.of("target", "multinode").toAbsolutePath();
        Path war = dir.resolve("asyncreply-multinode.war");
        Path tmp = dir.resolve("asyncreply-multinode.war.tmp");
        try {
            Files.createDirectories(dir);
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(Path.of(source)));
                    ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                    if (e.getName().equals(SERVICES)) {
                        throw new IllegalStateException("the WAR already registers handlers (" + SERVICES
                                + "); extend MultiNodeWar to merge them");
                    }
                    out.putNextEntry(new ZipEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
                out.putNextEntry(new ZipEntry("WEB-INF/classes/" + handler));
                try (InputStream cls = RunRecorder.class.getClassLoader().getResourceAsStream(handler)) {
                    if (cls == null) {
                        throw new IllegalStateException(handler + " is not on the test classpath");
                    }
                    cls.transferTo(out);
                }
                out.closeEntry();
                out.putNextEntry(new ZipEntry(SERVICES));
                out.write((RunRecorder.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
            Files.move(tmp, war, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return war;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build " + war, e);
        }
    }
}
