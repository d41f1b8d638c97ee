package io.asyncreply.bench.peers;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A library's version, from the name of the jar its class was loaded from (Maven's naming). */
final class Versions {
    private static final Pattern JAR = Pattern.compile("([A-Za-z0-9_.-]+?)-(\\d[^/]*)\\.jar$");

    private Versions() {
    }

    static String of(Class<?> c) {
        try {
            String where = c.getProtectionDomain().getCodeSource().getLocation().getPath();
            Matcher m = JAR.matcher(where);
            return m.find() ? m.group(1) + " " + m.group(2) : where;
        } catch (RuntimeException e) {
            return "unknown";
        }
    }
}
