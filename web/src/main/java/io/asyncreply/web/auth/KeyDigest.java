package io.asyncreply.web.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The stored form of an API key: {@code sha256:<salt>:<hash>}, where {@code salt} is 16 random
 * bytes and {@code hash} is SHA-256 over the salt followed by the key's UTF-8 bytes, both in
 * standard base64. The key itself is never stored; a key presented by a client is hashed with the
 * same salt and compared in constant time ({@link MessageDigest#isEqual}).
 *
 * <p>A single round of SHA-256 is enough because keys are random (see {@link #newKey()}: 256 bits);
 * it is not a password hash, and made-up keys chosen by people must not be used.
 *
 * <p>JDK only, so that {@link KeyHash} runs from the WAR's classes without any library.
 */
public final class KeyDigest {
    /** The scheme word that begins every stored key. */
    public static final String SCHEME = "sha256";
    /** Bytes of salt in a digest made here. */
    static final int SALT_BYTES = 16;
    /** Longest key a client may present; longer ones are refused unhashed. */
    public static final int MAX_KEY_LENGTH = 512;
    /** What every key made by {@link #newKey()} begins with, so that secret scanners can find leaked ones. */
    public static final String KEY_PREFIX = "ark_";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] salt;
    private final byte[] hash;

    private KeyDigest(byte[] salt, byte[] hash) {
        this.salt = salt;
        this.hash = hash;
    }

    /** The digest of {@code key} with a fresh random salt. */
    public static KeyDigest of(String key) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new KeyDigest(salt, hash(salt, key));
    }

    /**
     * A stored digest, {@code sha256:<salt-b64>:<hash-b64>}.
     *
     * @throws IllegalArgumentException when it is not one (the message never repeats the text)
     */
    public static KeyDigest parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 3 || !parts[0].equals(SCHEME)) {
            throw new IllegalArgumentException("a key hash has the form " + SCHEME + ":<salt>:<hash>");
        }
        byte[] salt;
        byte[] hash;
        try {
            salt = Base64.getDecoder().decode(parts[1]);
            hash = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the salt and the hash of a key hash are standard base64");
        }
        if (salt.length < 8) {
            throw new IllegalArgumentException("the salt of a key hash has at least 8 bytes");
        }
        if (hash.length != 32) {
            throw new IllegalArgumentException("the hash of a key hash is 32 bytes (SHA-256)");
        }
        return new KeyDigest(salt, hash);
    }

    /** Whether {@code key} is the key of this digest; constant time in the hash compared. */
    public boolean matches(String key) {
        if (key == null || key.length() > MAX_KEY_LENGTH) {
            return false;
        }
        return MessageDigest.isEqual(hash, hash(salt, key));
    }

    /** The stored form, {@code sha256:<salt-b64>:<hash-b64>}. */
    public String format() {
        return SCHEME + ":" + Base64.getEncoder().encodeToString(salt) + ":" + Base64.getEncoder().encodeToString(hash);
    }

    /** A new random key: {@value #KEY_PREFIX} and 32 random bytes in base64url (47 characters). */
    public static String newKey() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] hash(byte[] salt, String key) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(salt);
            d.update(key.getBytes(StandardCharsets.UTF_8));
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Never the hash: a digest in a log line or a message says nothing. */
    @Override
    public String toString() {
        return SCHEME + ":...";
    }
}
