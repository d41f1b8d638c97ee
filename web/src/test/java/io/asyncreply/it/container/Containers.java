package io.asyncreply.it.container;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The system properties that failsafe passes (see web/pom.xml), checked. */
public final class Containers {

    private Containers() {
    }

    /** {@code -Dasyncreply.containers.skip=true} (Maven: {@code -Dcontainers.skip=true}). */
    public static boolean skipped() {
        return Boolean.getBoolean("asyncreply.containers.skip");
    }

    /** The WAR built by this module ({@code asyncreply.war}). */
    public static Path war() {
        return existing("asyncreply.war", false);
    }

    /** Where instance directories go ({@code asyncreply.containers.runs}, default target/container-runs). */
    public static Path runsDir() {
        String value = System.getProperty("asyncreply.containers.runs");
        return value == null || value.isBlank() ? Path.of("target", "container-runs").toAbsolutePath() : Path.of(value);
    }

    /** Jars for the containers' own class path, e.g. the PostgreSQL driver ({@code asyncreply.containers.lib}). */
    public static List<Path> containerLibs() {
        Path dir = existing("asyncreply.containers.lib", true);
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Path existing(String property, boolean directory) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set; run the container ITs"
                    + " with 'mvn verify' (failsafe sets it, see web/pom.xml)");
        }
        Path path = Path.of(value);
        if (directory ? !Files.isDirectory(path) : !Files.isRegularFile(path)) {
            throw new IllegalStateException(property + "=" + value + " does not exist"
                    + (directory ? " (the pre-integration-test unpack did not run?)" : ""));
        }
        return path;
    }
}
