package io.asyncreply.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResultMediaTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"text/plain", "text/plain; charset=ISO-8859-1", "application/json",
        "application/vnd.example+json; v=2", "image/png", "audio/ogg", "video/mp4", "application/octet-stream",
        "Text/CSV", "text/plain;charset=\"utf-8\""})
    void inertTypesAreKeptAsTheyAre(String type) {
        ResultMedia m = ResultMedia.of(type);
        assertThat(m.contentType()).isEqualTo(type);
        assertThat(m.active()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"text/html", "TEXT/HTML; charset=utf-8", "image/svg+xml", "application/xhtml+xml",
        "text/xml", "application/xml", "application/atom+xml", "text/javascript", "application/pdf",
        "multipart/x-mixed-replace; boundary=x", "application/x-asyncreply-test", "text/vnd.wap.wml"})
    void everyOtherTypeIsActive(String type) {
        ResultMedia m = ResultMedia.of(type);
        assertThat(m.contentType()).isEqualTo(type);
        assertThat(m.active()).isTrue();
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "text", "text/", "/plain", "not a media type", "text/plain;", "text/plain; a",
        "text/plain; a=", "text/plain; =b", "text/plain; a=\"open", "text/pl\u00e4in", "text/plain; a=\"\u00e9\"",
        "text/plain,text/html", "text/plain\r\nX: y"})
    void textThatIsNotAMediaTypeIsServedAsOctetStream(String type) {
        ResultMedia m = ResultMedia.of(type);
        assertThat(m.contentType()).isEqualTo("application/octet-stream");
        assertThat(m.active()).isFalse();
    }
}
