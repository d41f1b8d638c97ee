package io.asyncreply.web.intake;

import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * The bytes of one upload as they arrive, in a buffer that grows with them (an idle upload holds
 * none): doubling, from {@link #INITIAL} (or the declared length, when smaller) up to what the
 * upload may hold, each step reserved first in the upload's {@link BufferBudget.Reservation}.
 *
 * <p>Threads: used by the container's read callbacks only, which the container serializes, and by
 * {@link Intake} only while it is READING (see there).
 */
final class BodyBuffer {
    /** The first buffer of a body of unknown length, and the most an upload allocates before bytes arrive. */
    static final int INITIAL = 16 * 1024;
    private static final byte[] EMPTY = new byte[0];

    /** What {@link #makeRoom} found. */
    enum Room {
        /** The buffer grew: read on. */
        GROWN,
        /** The body ended exactly at the buffer's end: onAllDataRead follows. */
        END,
        /** One byte more than the limit arrived. */
        TOO_LARGE,
        /** One byte more than the declared length (within the limit) arrived. */
        LONGER_THAN_DECLARED,
        /** The budget has no room for the next step. */
        NO_BUDGET
    }

    private final long max;
    /** What the buffer may grow to: the declared length (it never exceeds the limit here), or the limit. */
    private final long expected;
    private final BufferBudget.Reservation reservation;
    private byte[] body = EMPTY;
    private int size;

    /** {@code declared}: the request's Content-Length, or -1; {@code max}: the limit of a body. */
    BodyBuffer(long declared, long max, BufferBudget.Reservation reservation) {
        this.max = max;
        this.expected = declared >= 0 ? Math.min(declared, max) : max;
        this.reservation = reservation;
    }

    /** Whether the next read needs {@link #makeRoom} first. */
    boolean isFull() {
        return size == body.length;
    }

    /**
     * Grows the buffer before the next read, each step reserved first. When it is already as large
     * as the upload may hold, one more byte is one too many: reads it to tell the end of the body
     * from an excess.
     */
    Room makeRoom(ServletInputStream in) throws IOException {
        if (body.length >= expected) { // full: one more byte is one too many
            if (in.read() < 0) {
                return Room.END;
            }
            return size >= max ? Room.TOO_LARGE : Room.LONGER_THAN_DECLARED;
        }
        int capacity = (int) Math.min(expected, Math.max(INITIAL, 2L * body.length));
        if (!reservation.grow(capacity)) {
            return Room.NO_BUDGET;
        }
        body = Arrays.copyOf(body, capacity);
        return Room.GROWN;
    }

    /** Reads what is available into the free space; false at the end of the body. */
    boolean readFrom(ServletInputStream in) throws IOException {
        int n = in.read(body, size, body.length - size);
        if (n < 0) {
            return false;
        }
        size += n;
        return true;
    }

    /** The body read, no longer held here. */
    byte[] take() {
        byte[] payload = size == body.length ? body : Arrays.copyOf(body, size);
        body = null;
        return payload;
    }

    /** Lets go of the bytes (the upload was refused). */
    void drop() {
        body = null;
    }

    /** Bytes of buffer held now. */
    int held() {
        byte[] b = body;
        return b == null ? 0 : b.length;
    }
}
