package io.asyncreply.web.auth;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One entry of the API key store: {@code <key hash> <owner> [<role>]}, separated by blanks, where
 * the key hash is a {@link KeyDigest} ({@code sha256:<salt>:<hash>}), the owner is the name the
 * key's tasks belong to (1 to 255 characters, no blanks and no comma), and the role is
 * {@code user} (the default: its own tasks), {@code viewer} (every task, read only) or
 * {@code admin} (every task, every action, the admin API).
 *
 * <p>JDK only, like {@link KeyDigest}, for {@link KeyHash}.
 *
 * @param digest the key's hash
 * @param owner the owner of the key's tasks
 * @param role {@code user}, {@code viewer} or {@code admin}
 */
public record KeyLine(KeyDigest digest, String owner, String role) {
    /** The role words, lower case. */
    public static final Set<String> ROLES = Set.of("user", "viewer", "admin");
    /** Longest owner name (the store's limit). */
    public static final int MAX_OWNER_LENGTH = 255;

    public KeyLine {
        Objects.requireNonNull(digest, "digest");
        checkOwner(owner);
        role = checkRole(role);
    }

    /**
     * Parses one entry (no comment, not blank).
     *
     * @throws IllegalArgumentException saying what is wrong, never repeating the entry
     */
    public static KeyLine parse(String entry) {
        String[] f = entry.trim().split("\\s+");
        if (f.length < 2 || f.length > 3) {
            throw new IllegalArgumentException("an entry is '<key hash> <owner> [<role>]'");
        }
        return new KeyLine(KeyDigest.parse(f[0]), f[1], f.length == 3 ? f[2] : "user");
    }

    /** The entry as a line of the key file. */
    public String format() {
        return digest.format() + " " + owner + " " + role;
    }

    static void checkOwner(String owner) {
        if (owner == null || owner.isEmpty() || owner.length() > MAX_OWNER_LENGTH) {
            throw new IllegalArgumentException("an owner has 1 to " + MAX_OWNER_LENGTH + " characters");
        }
        for (int i = 0; i < owner.length(); i++) {
            char c = owner.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == ',') {
                throw new IllegalArgumentException("an owner has no blanks, control characters or commas");
            }
        }
        if (owner.startsWith("#")) {
            throw new IllegalArgumentException("an owner does not begin with '#'");
        }
    }

    static String checkRole(String role) {
        String r = role == null ? "" : role.toLowerCase(Locale.ROOT);
        if (!ROLES.contains(r)) {
            throw new IllegalArgumentException("a role is user, viewer or admin");
        }
        return r;
    }
}
