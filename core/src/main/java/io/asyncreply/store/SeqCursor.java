package io.asyncreply.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * List cursors for stores that number tasks in submission order: the sequence number of the last
 * task on a page, base64url-encoded so that clients treat it as opaque.
 */
public final class SeqCursor {
    private SeqCursor() {
    }

    public static String encode(long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("s" + seq).getBytes(StandardCharsets.US_ASCII));
    }

    /** @throws IllegalArgumentException when {@code cursor} was not made by {@link #encode(long)} */
    public static long decode(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (s.length() < 2 || s.length() > 20 || s.charAt(0) != 's') {
                throw new IllegalArgumentException("malformed cursor");
            }
            long seq = Long.parseLong(s.substring(1));
            if (seq < 0) {
                throw new IllegalArgumentException("malformed cursor");
            }
            return seq;
        } catch (IllegalArgumentException e) { // also NumberFormatException
            throw new IllegalArgumentException("malformed cursor", e);
        }
    }
}
