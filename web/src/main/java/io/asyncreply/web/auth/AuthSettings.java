package io.asyncreply.web.auth;

import io.asyncreply.web.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The authentication settings (docs/security.md), parsed and checked: a bad value stops the
 * deployment with a message naming the setting, as every setting does.
 *
 * @param mode {@code none}, {@code container} or {@code apikey} ({@code asyncreply.auth})
 * @param keys the keys of {@code asyncreply.auth.keys} (apikey)
 * @param keysFile {@code asyncreply.auth.keys.file}, or null (apikey)
 * @param reloadEvery how often the key file is looked at for changes ({@code asyncreply.auth.keys.reload})
 * @param realm the realm of the {@code Bearer} challenge ({@code asyncreply.auth.realm})
 * @param publicPaths the paths that need no credentials ({@code asyncreply.auth.public})
 */
public record AuthSettings(Mode mode, KeyRing keys, Path keysFile, Duration reloadEvery, String realm,
        PublicPaths publicPaths) {

    public static final String MODE = "asyncreply.auth";
    public static final String KEYS = "asyncreply.auth.keys";
    public static final String KEYS_FILE = "asyncreply.auth.keys.file";
    public static final String KEYS_RELOAD = "asyncreply.auth.keys.reload";
    public static final String REALM = "asyncreply.auth.realm";
    public static final String PUBLIC = "asyncreply.auth.public";

    /** Who authenticates. */
    public enum Mode {
        /** Nobody: every request is {@link Caller#ANONYMOUS} (version 1). */
        NONE,
        /** The servlet container. */
        CONTAINER,
        /** API keys in the Authorization header. */
        APIKEY
    }

    /** @throws IllegalArgumentException naming the setting */
    public static AuthSettings from(Settings s) {
        String m = s.string(MODE, "none").toLowerCase(Locale.ROOT);
        Mode mode = switch (m) {
            case "none" -> Mode.NONE;
            case "container" -> Mode.CONTAINER;
            case "apikey" -> Mode.APIKEY;
            default -> throw invalid(MODE, "is '" + m + "'; expected none, container or apikey");
        };
        KeyRing keys = KeyRing.EMPTY;
        String inline = s.raw(KEYS);
        if (inline != null) {
            try {
                keys = KeyRing.parse(inline, ',', "setting " + KEYS);
            } catch (IllegalArgumentException e) {
                throw invalid(KEYS, "is not valid: " + e.getMessage()
                        + "; expected '<key hash> <owner> [user|viewer|admin]' entries separated by commas");
            }
        }
        String file = s.raw(KEYS_FILE);
        if (mode == Mode.APIKEY && inline == null && file == null) {
            throw invalid(MODE, "is apikey, but no key is configured: set " + KEYS_FILE + " (or " + KEYS + ")");
        }
        String realm = s.string(REALM, "asyncreply");
        if (!realm.chars().allMatch(c -> c >= 0x20 && c < 0x7F && c != '"' && c != '\\')) {
            throw invalid(REALM, "may hold printable ASCII without quotes and backslashes");
        }
        PublicPaths publicPaths;
        try {
            publicPaths = PublicPaths.parse(s.string(PUBLIC, PublicPaths.DEFAULT));
        } catch (IllegalArgumentException e) {
            throw invalid(PUBLIC, "is not valid: " + e.getMessage()
                    + "; expected paths separated by commas, or none");
        }
        return new AuthSettings(mode, keys, file == null ? null : Path.of(file),
                s.positiveDuration(KEYS_RELOAD, Duration.ofSeconds(5)), realm, publicPaths);
    }

    /** The authenticator of {@link #mode()}, or null for {@link Mode#NONE}; reads the key file now. */
    Authenticator authenticator() {
        return switch (mode) {
            case NONE -> null;
            case CONTAINER -> new ContainerAuthenticator();
            case APIKEY -> new ApiKeyAuthenticator(ApiKeys.of(keys, keysFile, reloadEvery), realm);
        };
    }

    private static IllegalArgumentException invalid(String name, String what) {
        return new IllegalArgumentException("Setting " + name + " (environment " + Settings.envName(name) + ") "
                + what + ".");
    }
}
