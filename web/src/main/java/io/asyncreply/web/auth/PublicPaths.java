package io.asyncreply.web.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The paths that need no credentials ({@code asyncreply.auth.public}): exact paths from the
 * application's root ({@code /health}), or prefixes ending in {@code /*} ({@code /docs/*} is
 * {@code /docs} and everything below it).
 *
 * <p>A request on a public path without credentials reaches the application with no
 * {@link Caller} at all: whatever there asks {@link Caller#of} fails closed rather than serve it as
 * somebody. Credentials given on a public path are still checked and used.
 */
public final class PublicPaths {
    /** The default: the health checks and the API description. */
    public static final String DEFAULT = "/health,/health/live,/health/ready,/openapi.json";

    private final Set<String> exact;
    private final List<String> prefixes;

    private PublicPaths(Set<String> exact, List<String> prefixes) {
        this.exact = exact;
        this.prefixes = prefixes;
    }

    /**
     * {@code value}: paths separated by commas, each beginning with {@code /}; {@code none} for no
     * public path at all.
     *
     * @throws IllegalArgumentException for an entry that is not a path
     */
    public static PublicPaths parse(String value) {
        java.util.HashSet<String> exact = new java.util.HashSet<>();
        List<String> prefixes = new ArrayList<>();
        if (value.strip().equals("none")) {
            return new PublicPaths(Set.of(), List.of());
        }
        for (String raw : value.split(",")) {
            String p = raw.strip();
            if (p.isEmpty()) {
                continue;
            }
            if (!p.startsWith("/") || p.contains("..") || p.chars().anyMatch(c -> c <= ' ')) {
                throw new IllegalArgumentException("'" + p + "' is not a path beginning with /");
            }
            if (p.endsWith("/*")) {
                prefixes.add(p.substring(0, p.length() - 2));
            } else if (p.contains("*")) {
                throw new IllegalArgumentException("'" + p + "': only a final /* may match more than one path");
            } else {
                exact.add(p);
            }
        }
        return new PublicPaths(Set.copyOf(exact), List.copyOf(prefixes));
    }

    /** Whether {@code path} (decoded, from the application's root) is public. */
    public boolean contains(String path) {
        if (exact.contains(path)) {
            return true;
        }
        for (String p : prefixes) {
            if (path.equals(p) || path.startsWith(p + "/")) {
                return true;
            }
        }
        return false;
    }
}
