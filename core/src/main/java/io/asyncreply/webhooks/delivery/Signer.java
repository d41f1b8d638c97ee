package io.asyncreply.webhooks.delivery;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature: {@code v1,} + base64 of HMAC-SHA256 over
 * {@code webhook-id + "." + webhook-timestamp + "." + body}, keyed with the secret's bytes
 * ({@link Secrets#key}). Stateless; a {@link Mac} per call.
 */
public final class Signer {
    private Signer() {
    }

    /** The {@code webhook-signature} header of {@code body} sent as {@code id} at {@code timestamp} (seconds). */
    public static String sign(byte[] key, String id, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
