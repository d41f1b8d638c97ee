package io.asyncreply.web.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A set of API keys, as hashes, and whom each one names: immutable, built from the key file and
 * the {@code asyncreply.auth.keys} setting ({@link #parse}).
 *
 * <p>{@link #caller} hashes the presented key with every entry's salt and compares each in
 * constant time, without stopping at a match, so that the time taken says nothing of which entry
 * matched or how much of a hash did. It costs one SHA-256 of a short input per entry (well under a
 * microsecond): a few hundred keys cost a fraction of a millisecond per request.
 */
public final class KeyRing {
    /** No keys: every key is refused. */
    public static final KeyRing EMPTY = new KeyRing(List.of());

    private final List<KeyLine> entries;

    KeyRing(List<KeyLine> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * The entries of {@code text}: one per line for a file ({@code separator} {@code '\n'}) or
     * comma-separated for a setting ({@code ','}); blank entries and those starting with {@code #}
     * are skipped.
     *
     * @param source where the text comes from, for messages ("key file /etc/x", "setting y")
     * @throws IllegalArgumentException naming the source and the entry's number, never its text
     */
    public static KeyRing parse(String text, char separator, String source) {
        List<KeyLine> out = new ArrayList<>();
        String[] parts = text.split(separator == '\n' ? "\r?\n" : java.util.regex.Pattern.quote(String.valueOf(separator)),
                -1);
        for (int i = 0; i < parts.length; i++) {
            String entry = parts[i].strip();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            try {
                out.add(KeyLine.parse(entry));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ", " + (separator == '\n' ? "line " : "entry ") + (i + 1)
                        + ": " + e.getMessage(), e);
            }
        }
        return new KeyRing(out);
    }

    /** Both sets of keys. */
    public KeyRing plus(KeyRing other) {
        List<KeyLine> all = new ArrayList<>(entries);
        all.addAll(other.entries);
        return new KeyRing(all);
    }

    /** The caller {@code key} names, or empty when no entry has it. */
    public Optional<Caller> caller(String key) {
        if (key == null || key.isEmpty() || key.length() > KeyDigest.MAX_KEY_LENGTH) {
            return Optional.empty();
        }
        KeyLine found = null;
        for (KeyLine e : entries) {
            if (e.digest().matches(key) && found == null) { // no early exit: the same work whatever matches
                found = e;
            }
        }
        return found == null ? Optional.empty() : Optional.of(Caller.of(found.owner(), role(found.role())));
    }

    public int size() {
        return entries.size();
    }

    static Caller.Role role(String word) {
        return switch (word) {
            case "admin" -> Caller.Role.ADMIN;
            case "viewer" -> Caller.Role.VIEWER;
            default -> Caller.Role.USER;
        };
    }
}
