package io.asyncreply.web.auth;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The API keys in force: those of the {@code asyncreply.auth.keys} setting plus those of the key
 * file ({@code asyncreply.auth.keys.file}), which is read again when it changes, without a restart
 * and without a thread of its own.
 *
 * <p>How a change is noticed: {@link #ring()} runs on the request path; at most once per check
 * interval, the one request that wins a compare-and-set on the next check time looks at the file's
 * attributes (modification time, size, file key) and, when they differ from those of the last read,
 * reads and parses it. Every other request meanwhile uses the keys in force, so a check costs one
 * {@code stat} per interval and nobody waits for it.
 *
 * <p>State: one volatile {@link Loaded} (the keys and the attributes of the file they came from),
 * replaced whole. A file that cannot be read or parsed leaves the keys read before in force (a typo
 * must not lock every client out), logged at WARNING with the line number, never a line's text.
 * The file is read whole into memory, so it may be at most {@link #MAX_FILE_BYTES}.
 */
public final class ApiKeys {
    private static final System.Logger LOG = System.getLogger(ApiKeys.class.getName());
    /** Largest key file read. */
    static final long MAX_FILE_BYTES = 1 << 20;

    /** Keys and the file attributes they were read with ({@code stamp} null: from no file). */
    private record Loaded(KeyRing ring, Object stamp) {
    }

    private final KeyRing fixed;
    private final Path file;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong nextCheck;
    private volatile Loaded loaded;

    /**
     * Reads the file, if any, now.
     *
     * @param fixed the keys of the setting
     * @param file the key file, or null
     * @param checkEvery how often the file is looked at (at most)
     * @param nanoTime the clock ({@link System#nanoTime} but in tests)
     * @throws IllegalArgumentException when the file cannot be read or parsed
     */
    ApiKeys(KeyRing fixed, Path file, Duration checkEvery, LongSupplier nanoTime) {
        this.fixed = Objects.requireNonNull(fixed);
        this.file = file;
        this.intervalNanos = checkEvery.toNanos();
        this.nanoTime = nanoTime;
        Object stamp = null;
        KeyRing ring = fixed;
        if (file != null) {
            stamp = stamp(file);
            ring = fixed.plus(read(file));
        }
        this.loaded = new Loaded(ring, stamp);
        this.nextCheck = new AtomicLong(nanoTime.getAsLong() + intervalNanos);
    }

    /** Keys from the setting and the file, the file checked every {@code checkEvery}. */
    public static ApiKeys of(KeyRing fixed, Path file, Duration checkEvery) {
        return new ApiKeys(fixed, file, checkEvery, System::nanoTime);
    }

    /** The keys in force; looks at the file first when the check interval has passed. */
    public KeyRing ring() {
        if (file != null) {
            long now = nanoTime.getAsLong();
            long next = nextCheck.get();
            if (now - next >= 0 && nextCheck.compareAndSet(next, now + intervalNanos)) {
                reloadIfChanged();
            }
        }
        return loaded.ring();
    }

    /** How many keys are in force. */
    public int size() {
        return loaded.ring().size();
    }

    private void reloadIfChanged() {
        Loaded before = loaded;
        Object stamp;
        try {
            stamp = stamp(file);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "{0}; the {1} API keys read before stay in force", e.getMessage(),
                    before.ring().size());
            return;
        }
        if (stamp.equals(before.stamp())) {
            return;
        }
        try {
            KeyRing ring = fixed.plus(read(file));
            loaded = new Loaded(ring, stamp);
            LOG.log(Level.INFO, "API keys read again from {0}: {1} keys in force", file, ring.size());
        } catch (IllegalArgumentException e) {
            loaded = new Loaded(before.ring(), stamp); // not again until the file changes again
            LOG.log(Level.WARNING, "{0}; the {1} API keys read before stay in force", e.getMessage(),
                    before.ring().size());
        }
    }

    /** What identifies a version of the file: modification time, size and file key (inode). */
    private static Object stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return java.util.Arrays.asList(a.lastModifiedTime(), a.size(), a.fileKey());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the API key file " + file
                    + " (setting asyncreply.auth.keys.file): " + e.getClass().getSimpleName());
        }
    }

    static KeyRing read(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the API key file " + file
                    + " (setting asyncreply.auth.keys.file): " + e.getClass().getSimpleName());
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("The API key file " + file + " is larger than " + MAX_FILE_BYTES
                    + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("The API key file " + file + " is not UTF-8");
        }
        return KeyRing.parse(text, '\n', "API key file " + file);
    }
}
