package io.asyncreply.web.config;

import io.asyncreply.webhooks.delivery.AddressPolicy;
import io.asyncreply.webhooks.delivery.Backoff;
import io.asyncreply.webhooks.delivery.Secrets;
import io.asyncreply.webhooks.delivery.WebhookSettings;
import java.time.Duration;

/**
 * The webhook settings (see docs/configuration.md and docs/webhooks.md), parsed from the same
 * {@link Settings} as {@link WebConfig} into the engine's {@link WebhookSettings}. The secret is
 * checked for its form and never repeated in a message.
 */
public final class WebhooksConfig {
    public static final String SECRET = "asyncreply.webhooks.secret";
    public static final String ALLOW = "asyncreply.webhooks.allow";
    public static final String CONCURRENCY = "asyncreply.webhooks.concurrency";
    public static final String CONNECT_TIMEOUT = "asyncreply.webhooks.connect-timeout";
    public static final String READ_TIMEOUT = "asyncreply.webhooks.read-timeout";
    public static final String MAX_ATTEMPTS = "asyncreply.webhooks.max-attempts";
    public static final String KEEP = "asyncreply.webhooks.keep";
    public static final String LEASE = "asyncreply.webhooks.lease";

    private WebhooksConfig() {
    }

    /** The defaults: no callback secret, nothing allowed beyond public addresses. */
    public static WebhookSettings defaults() {
        return WebhookSettings.of(null, AddressPolicy.strict());
    }

    /** The settings, parsed and range-checked. @throws IllegalArgumentException naming the setting */
    public static WebhookSettings from(Settings s) {
        String secret = s.raw(SECRET);
        if (secret != null) {
            try {
                Secrets.key(secret);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Setting " + SECRET + " (environment " + Settings.envName(SECRET)
                        + ") is not a webhook secret: " + e.getMessage() + " (whsec_ followed by the base64 of at least "
                        + Secrets.MIN_KEY_BYTES + " random bytes).");
            }
        }
        AddressPolicy policy;
        try {
            policy = AddressPolicy.parse(s.string(ALLOW, ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Setting " + ALLOW + " (environment " + Settings.envName(ALLOW) + "): "
                    + e.getMessage() + ".");
        }
        Duration connect = s.positiveDuration(CONNECT_TIMEOUT, WebhookSettings.DEFAULT_CONNECT_TIMEOUT);
        Duration read = s.positiveDuration(READ_TIMEOUT, WebhookSettings.DEFAULT_READ_TIMEOUT);
        if (connect.compareTo(Duration.ofMinutes(5)) > 0 || read.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("Settings " + CONNECT_TIMEOUT + " and " + READ_TIMEOUT
                    + " are at most 5m each.");
        }
        Backoff d = Backoff.defaults();
        Backoff backoff = new Backoff(d.first(), d.factor(), d.cap(), s.integer(MAX_ATTEMPTS, d.maxAttempts(), 1, 100),
                d.jitter());
        WebhookSettings base = WebhookSettings.of(secret, policy).withTimeouts(connect, read)
                .withConcurrency(s.integer(CONCURRENCY, WebhookSettings.DEFAULT_CONCURRENCY, 1, 1024))
                .withBackoff(backoff);
        Duration lease = s.positiveDuration(LEASE, base.lease());
        if (lease.compareTo(connect.plus(read).plusSeconds(5)) < 0) {
            throw new IllegalArgumentException("Setting " + LEASE + " (environment " + Settings.envName(LEASE) + ") is '"
                    + s.raw(LEASE) + "'; it must exceed " + CONNECT_TIMEOUT + " plus " + READ_TIMEOUT + " by 5s at least.");
        }
        return new WebhookSettings(base.callbackSecret(), base.policy(), base.concurrency(), base.connectTimeout(),
                base.readTimeout(), base.maxResponseBytes(), base.backoff(), lease, base.poll(),
                s.positiveDuration(KEEP, WebhookSettings.DEFAULT_KEEP_ENDED));
    }
}
