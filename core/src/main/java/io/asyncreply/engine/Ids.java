package io.asyncreply.engine;

import io.asyncreply.task.Task;
import java.security.SecureRandom;

/**
 * Task ids: 30 characters, URL-safe. The first 7 encode the submission time (milliseconds since the
 * epoch, 42 bits: until May 2109, after which they wrap and only the order is lost), the other 23
 * carry 138 random bits from {@link SecureRandom}, so an id is as unguessable as before. The
 * alphabet is base64url's, ordered as in ASCII, so ids sort by submission time (to the
 * millisecond).
 *
 * <p>Why 7 time characters, not 8: with 8 (48 bits) the first one was {@code '-'} in every id until
 * 2109, which carries nothing and makes an id look like a command-line option or, in a
 * spreadsheet, a formula. Now ids begin with a letter (until 2050, then {@code '_'} and lower case).
 *
 * <p>Why the time prefix: a primary key index of random ids takes each insert to a random leaf
 * page, so a group commit of n tasks rewrites about n pages of that index (H2 serializes each one
 * again on every commit; PostgreSQL writes full-page images to its WAL after each checkpoint).
 * With ids that grow over time, inserts land on the rightmost pages.
 *
 * <p>Ids of 22 characters (128 random bits in base64url), as earlier versions made them, remain
 * well-formed: tasks stored by those versions can still be found.
 */
final class Ids {
    static final int LENGTH = 30;
    static final int LEGACY_LENGTH = 22;
    private static final char[] ALPHABET = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
            .toCharArray();
    private static final int TIME_CHARS = 7;
    private static final long TIME_MASK = (1L << (6 * TIME_CHARS)) - 1;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    /** A new id for a task submitted at {@code epochMillis}. */
    static String next(long epochMillis) {
        char[] c = new char[LENGTH];
        long t = epochMillis & TIME_MASK;
        for (int i = TIME_CHARS - 1; i >= 0; i--) {
            c[i] = ALPHABET[(int) (t & 63)];
            t >>>= 6;
        }
        byte[] random = new byte[18]; // 144 bits, of which 138 are used
        RANDOM.nextBytes(random);
        int bits = 0;
        int buffer = 0;
        int r = 0;
        for (int i = TIME_CHARS; i < LENGTH; i++) {
            if (bits < 6) {
                buffer = (buffer << 8) | (random[r++] & 0xFF);
                bits += 8;
            }
            bits -= 6;
            c[i] = ALPHABET[(buffer >>> bits) & 63];
        }
        return new String(c);
    }

    /** Whether {@code id} could be one of ours; anything else is unknown without asking the store. */
    static boolean isWellFormed(String id) {
        if (id == null || (id.length() != LENGTH && id.length() != LEGACY_LENGTH)) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
