package io.asyncreply.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignerTest {
    @Test
    void theSignatureMatchesTheStandardWebhooksReferenceExample() {
        // the example of the Standard Webhooks reference libraries' tests
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String sig = Signer.sign(Secrets.key(secret), "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertThat(sig).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void aVerifierWrittenFromTheSpecificationAcceptsTheSignatureAndRefusesAChangedBody() throws Exception {
        String secret = Secrets.generate();
        byte[] body = "{\"type\":\"task.succeeded\",\"data\":{\"id\":\"x\"}}".getBytes(StandardCharsets.UTF_8);
        long now = 1_700_000_000L;
        Map<String, String> headers = Map.of("webhook-id", "d-1", "webhook-timestamp", Long.toString(now),
                "webhook-signature", Signer.sign(Secrets.key(secret), "d-1", now, body));
        SignatureVerifier v = new SignatureVerifier(secret);
        assertThat(v.verify(headers, body, now + 10)).isTrue();
        assertThat(v.verify(headers, "{}".getBytes(StandardCharsets.UTF_8), now)).isFalse();
        assertThat(new SignatureVerifier(Secrets.generate()).verify(headers, body, now)).isFalse();
    }

    @Test
    void aSecretIsWhsecAndBase64OfAtLeastSixteenBytes() {
        assertThat(Secrets.generate()).startsWith("whsec_");
        assertThat(Secrets.key(Secrets.generate())).hasSize(32);
        assertThatThrownBy(() -> Secrets.key("secret")).hasMessageNotContaining("secret\"");
        assertThatThrownBy(() -> Secrets.key("whsec_!!!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Secrets.key("whsec_c2hvcnQ=")).isInstanceOf(IllegalArgumentException.class);
    }
}
