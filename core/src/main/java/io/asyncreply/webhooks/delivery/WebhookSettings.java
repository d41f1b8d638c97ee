package io.asyncreply.webhooks.delivery;

import java.time.Duration;
import java.util.Objects;

/**
 * How webhooks are sent.
 *
 * @param callbackSecret the secret ({@code whsec_} + base64) per-task callbacks are signed with, or
 *     null: then callbacks are refused at submit and a delivery to one fails ({@code no-secret})
 * @param policy where deliveries may go
 * @param concurrency most deliveries sent at once by this node (each on a sender thread of its own)
 * @param connectTimeout longest wait for a connection
 * @param readTimeout longest wait for the answer, from the request sent to the end of the part of its body read
 * @param maxResponseBytes most bytes of an answer's body read; the rest is discarded with the connection
 * @param backoff when failed deliveries are tried again
 * @param lease how long a node holds a claimed delivery; longer than {@code connectTimeout + readTimeout}
 * @param poll how often due retries (and deliveries whose node died) are looked for without a wake-up
 * @param keepEnded how long ended deliveries stay in the delivery log
 */
public record WebhookSettings(String callbackSecret, AddressPolicy policy, int concurrency, Duration connectTimeout,
        Duration readTimeout, int maxResponseBytes, Backoff backoff, Duration lease, Duration poll,
        Duration keepEnded) {
    public static final int DEFAULT_CONCURRENCY = 16;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 4096;
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_KEEP_ENDED = Duration.ofDays(7);

    public WebhookSettings {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(backoff, "backoff");
        if (callbackSecret != null) {
            Secrets.key(callbackSecret);
        }
        if (concurrency < 1 || connectTimeout.isNegative() || connectTimeout.isZero() || readTimeout.isNegative()
                || readTimeout.isZero() || maxResponseBytes < 0 || poll.isNegative() || poll.isZero()
                || keepEnded.isNegative()) {
            throw new IllegalArgumentException("bad webhook settings");
        }
        if (lease.compareTo(connectTimeout.plus(readTimeout).plusSeconds(5)) < 0) {
            throw new IllegalArgumentException("the webhook lease must exceed the connect and read timeouts by 5 s");
        }
    }

    /** The defaults with {@code callbackSecret} and {@code policy}: the lease is the timeouts plus 30 s. */
    public static WebhookSettings of(String callbackSecret, AddressPolicy policy) {
        return new WebhookSettings(callbackSecret, policy, DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_READ_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, Backoff.defaults(),
                DEFAULT_CONNECT_TIMEOUT.plus(DEFAULT_READ_TIMEOUT).plusSeconds(30), DEFAULT_POLL, DEFAULT_KEEP_ENDED);
    }

    /** These settings with other timeouts (the lease follows: the timeouts plus 30 s). */
    public WebhookSettings withTimeouts(Duration connect, Duration read) {
        return new WebhookSettings(callbackSecret, policy, concurrency, connect, read, maxResponseBytes, backoff,
                connect.plus(read).plusSeconds(30), poll, keepEnded);
    }

    public WebhookSettings withConcurrency(int n) {
        return new WebhookSettings(callbackSecret, policy, n, connectTimeout, readTimeout, maxResponseBytes, backoff,
                lease, poll, keepEnded);
    }

    public WebhookSettings withBackoff(Backoff b) {
        return new WebhookSettings(callbackSecret, policy, concurrency, connectTimeout, readTimeout, maxResponseBytes,
                b, lease, poll, keepEnded);
    }

    public WebhookSettings withLease(Duration l) {
        return new WebhookSettings(callbackSecret, policy, concurrency, connectTimeout, readTimeout, maxResponseBytes,
                backoff, l, poll, keepEnded);
    }

    public WebhookSettings withPoll(Duration p) {
        return new WebhookSettings(callbackSecret, policy, concurrency, connectTimeout, readTimeout, maxResponseBytes,
                backoff, lease, p, keepEnded);
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "WebhookSettings[callbackSecret=" + (callbackSecret == null ? "none" : "set") + ", allow="
                + policy.description() + ", concurrency=" + concurrency + ", connectTimeout=" + connectTimeout
                + ", readTimeout=" + readTimeout + ", lease=" + lease + "]";
    }
}
