package io.asyncreply.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MediaTypeTest {

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"text/plain", "application/json", "application/vnd.example+json", "TEXT/PLAIN",
        "text/plain; charset=utf-8", "text/plain;charset=utf-8", "text/plain ; charset=utf-8 ",
        " application/octet-stream", "text/plain; charset=x-no-such-charset", "text/plain; charset=\"utf-8\"",
        "text/plain; a=\"quoted \\\" and ; semicolon\"", "multipart/form-data; boundary=----x1",
        "text/plain;", "text/plain; ; a=b", "application/x-asyncreply-test", "*/*", "a/b;c=d;e=f",
        "text/plain; a=\"caf\u00e9\""})
    void mediaTypesAreWellFormed(String value) {
        assertThat(MediaType.isWellFormed(value)).isTrue();
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", " ", "garbage", "text", "text/", "/plain", "text/plain/x", "text /plain",
        "text/ plain", "text/plain; charset", "text/plain; charset=", "text/plain; =utf-8", "text/plain charset=x",
        "text/plain; a=b c", "text/plain; a=\"unclosed", "text/plain; a=\"x\"y", "te(x)t/plain", "text/pl@in",
        "text/plain; a=\u0100", "text/plain\u0000", "text/plain; a=\"\u0007\""})
    void otherValuesAreNot(String value) {
        assertThat(MediaType.isWellFormed(value)).isFalse();
    }
}
