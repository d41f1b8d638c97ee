package io.asyncreply.webhooks.delivery;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Standard Webhooks secrets: {@code whsec_} followed by the base64 of the key bytes. Made from a
 * {@link SecureRandom}, 32 bytes (the size of an HMAC-SHA256 block's digest).
 */
public final class Secrets {
    /** The prefix of every secret. */
    public static final String PREFIX = "whsec_";
    /** Fewest key bytes a configured secret may have. */
    public static final int MIN_KEY_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** A new random secret. */
    public static String generate() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /**
     * The key bytes of {@code secret}: the base64 after {@code whsec_}.
     *
     * @throws IllegalArgumentException when it is not {@code whsec_} + base64 of at least
     *     {@link #MIN_KEY_BYTES} bytes (the message never repeats the secret)
     */
    public static byte[] key(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a webhook secret starts with " + PREFIX);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a webhook secret is " + PREFIX + " followed by base64");
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("a webhook secret holds at least " + MIN_KEY_BYTES + " bytes");
        }
        return key;
    }
}
