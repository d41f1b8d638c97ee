package io.asyncreply.web.api;

import io.asyncreply.task.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The list cursors given to clients: the store's cursor, a dot and a check value, so that the
 * server can tell a cursor it gave out from one made up, altered, or used with other filters.
 *
 * <p>The check value is the first 12 bytes of HMAC-SHA256 over a version, the query's filters
 * (status, type, owner) and the store's cursor, base64url without padding. The key is fixed, so
 * every node and every restart accepts the cursors of the others: the check value proves a cursor
 * unaltered and bound to its filters, not secret. That is enough, because a cursor grants nothing:
 * it only says where a page starts, and the filters (and, with authentication, the owner) are
 * applied to every page whatever the cursor says.
 */
final class Cursors {
    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] KEY = "asyncreply list cursor v1".getBytes(StandardCharsets.US_ASCII);
    private static final int CHECK_BYTES = 12;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Cursors() {
    }

    /** The cursor to give out for the store's {@code storeCursor} on a list with these filters. */
    static String seal(String storeCursor, TaskStatus status, String type, String owner) {
        return storeCursor + "." + check(storeCursor, status, type, owner);
    }

    /**
     * The store's cursor inside {@code cursor}, when this server gave it out for these filters.
     *
     * @throws IllegalArgumentException when it did not
     */
    static String open(String cursor, TaskStatus status, String type, String owner) {
        int dot = cursor.lastIndexOf('.');
        if (dot <= 0 || dot == cursor.length() - 1) {
            throw new IllegalArgumentException("not a cursor of this server");
        }
        String storeCursor = cursor.substring(0, dot);
        byte[] given = cursor.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
        byte[] expected = check(storeCursor, status, type, owner).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(given, expected)) {
            throw new IllegalArgumentException("not a cursor of this server for these filters");
        }
        return storeCursor;
    }

    private static String check(String storeCursor, TaskStatus status, String type, String owner) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(KEY, ALGORITHM));
            // Each part is length-prefixed, so that no two filter combinations give the same input.
            for (String part : new String[] {status == null ? "" : status.name(), nullable(type), nullable(owner),
                storeCursor}) {
                byte[] b = part.getBytes(StandardCharsets.UTF_8);
                mac.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
                mac.update((byte) ':');
                mac.update(b);
            }
            byte[] full = mac.doFinal();
            byte[] cut = new byte[CHECK_BYTES];
            System.arraycopy(full, 0, cut, 0, CHECK_BYTES);
            return B64.encodeToString(cut);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** An absent filter is "-", a present one "=" and its value: the two never give the same input. */
    private static String nullable(String s) {
        return s == null ? "-" : "=" + s;
    }
}
