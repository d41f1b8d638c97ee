package io.asyncreply.web.config;

import java.time.Duration;

/**
 * The settings of event streams ({@code GET /tasks/{id}/events}, {@code GET /events}); see
 * docs/configuration.md. Parsed from the same {@link Settings} as {@link WebConfig}.
 *
 * @param maxStreams most streams open at once on this node; beyond it {@code 503} with {@code Retry-After}
 * @param heartbeat the longest a stream stays silent: a comment line is sent when nothing else was
 * @param bufferBytes most bytes of events one stream holds for a client that reads slowly; a
 *     stream that would need more is ended (the client resumes with {@code Last-Event-ID}). The
 *     default holds a burst of about 500 events (the event dispatcher hands them out a page of 512
 *     at a time), so a client that keeps up is not dropped by a burst.
 */
public record EventsConfig(int maxStreams, Duration heartbeat, long bufferBytes) {
    public static final String MAX_STREAMS = "asyncreply.events.max-streams";
    public static final String HEARTBEAT = "asyncreply.events.heartbeat";
    public static final String BUFFER_BYTES = "asyncreply.events.buffer-bytes";

    public static final int DEFAULT_MAX_STREAMS = 10_000;
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);
    public static final long DEFAULT_BUFFER_BYTES = 256 * 1024;
    /** The shortest heartbeat: a shorter one would only load the server. */
    static final Duration MIN_HEARTBEAT = Duration.ofMillis(100);

    public EventsConfig {
        if (maxStreams < 0 || bufferBytes < 1 || heartbeat == null || heartbeat.compareTo(MIN_HEARTBEAT) < 0) {
            throw new IllegalArgumentException("bad event stream settings");
        }
    }

    /** The defaults: 10,000 streams, a heartbeat every 15 s, 256 KiB per stream. */
    public static EventsConfig defaults() {
        return new EventsConfig(DEFAULT_MAX_STREAMS, DEFAULT_HEARTBEAT, DEFAULT_BUFFER_BYTES);
    }

    /** The settings, parsed and range-checked. */
    public static EventsConfig from(Settings s) {
        Duration heartbeat = s.positiveDuration(HEARTBEAT, DEFAULT_HEARTBEAT);
        if (heartbeat.compareTo(MIN_HEARTBEAT) < 0 || heartbeat.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("Setting " + HEARTBEAT + " (environment " + Settings.envName(HEARTBEAT)
                    + ") is '" + s.raw(HEARTBEAT) + "'; expected a duration from 100ms to 1h, such as 15s.");
        }
        return new EventsConfig(
                s.integer(MAX_STREAMS, DEFAULT_MAX_STREAMS, 0, 1_000_000),
                heartbeat,
                s.longValue(BUFFER_BYTES, DEFAULT_BUFFER_BYTES, 1024, 1L << 30));
    }
}
