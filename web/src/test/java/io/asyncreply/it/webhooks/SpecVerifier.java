package io.asyncreply.it.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a Standard Webhooks signature as the specification tells a receiver to (not with the
 * sender's code): HMAC-SHA256 keyed with the base64-decoded secret after {@code whsec_}, over
 * {@code webhook-id.webhook-timestamp.body}, base64, compared in constant time with each
 * space-separated {@code v1,} entry of {@code webhook-signature}; the timestamp within 5 minutes.
 */
final class SpecVerifier {
    private SpecVerifier() {
    }

    static boolean verify(String secret, HookReceiver.Request r) throws Exception {
        String id = r.header("webhook-id");
        String ts = r.header("webhook-timestamp");
        String sig = r.header("webhook-signature");
        if (id == null || ts == null || sig == null
                || Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(ts)) > 300) {
            return false;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
        mac.update((id + "." + ts + ".").getBytes(StandardCharsets.UTF_8));
        byte[] expected = Base64.getEncoder().encode(mac.doFinal(r.body()));
        for (String part : sig.split(" ")) {
            if (part.startsWith("v1,") && MessageDigest.isEqual(expected,
                    part.substring(3).getBytes(StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        return false;
    }
}
