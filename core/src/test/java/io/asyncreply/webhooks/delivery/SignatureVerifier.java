package io.asyncreply.webhooks.delivery;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A receiver's check of a Standard Webhooks signature, written from the specification
 * (standardwebhooks.com, "Verifying webhook authenticity") and not from the sender's code: the
 * signed content is {@code msg_id.timestamp.payload}; the key is the base64-decoded part of the
 * secret after {@code whsec_}; {@code webhook-signature} holds space-separated {@code v1,<base64>}
 * entries, any of which may match; comparison in constant time; the timestamp within a tolerance.
 */
final class SignatureVerifier {
    private final byte[] key;

    SignatureVerifier(String secret) {
        this.key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    }

    /** Whether the headers ({@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature}) sign {@code body}. */
    boolean verify(Map<String, String> headers, byte[] body, long nowSeconds) throws Exception {
        String id = headers.get("webhook-id");
        String ts = headers.get("webhook-timestamp");
        String sig = headers.get("webhook-signature");
        if (id == null || ts == null || sig == null) {
            return false;
        }
        if (Math.abs(nowSeconds - Long.parseLong(ts)) > 300) {
            return false;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] content = (id + "." + ts + "." + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        byte[] expected = Base64.getEncoder().encode(mac.doFinal(content));
        for (String entry : sig.split(" ")) {
            int comma = entry.indexOf(',');
            if (comma > 0 && entry.substring(0, comma).equals("v1")
                    && MessageDigest.isEqual(expected, entry.substring(comma + 1).getBytes(StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        return false;
    }
}
