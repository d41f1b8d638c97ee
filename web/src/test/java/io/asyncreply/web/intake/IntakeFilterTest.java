package io.asyncreply.web.intake;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IntakeFilterTest {

    /** A request with only a request URI, a context path and a Content-Type header. */
    private static HttpServletRequest request(String contextPath, String uri, String contentType) {
        return (HttpServletRequest) Proxy.newProxyInstance(IntakeFilterTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getRequestURI" -> uri;
                    case "getContextPath" -> contextPath;
                    case "getHeader" -> "Content-Type".equalsIgnoreCase((String) args[0]) ? contentType : null;
                    case "getContentType" -> throw new java.nio.charset.UnsupportedCharsetException("x");
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @ParameterizedTest(name = "context \"{0}\", URI {1} -> {2}")
    @CsvSource(nullValues = "null", value = {
        "'', /tasks/echo, echo",
        "'', /tasks/my-type.v2, my-type.v2",
        "/app, /app/tasks/sleep, sleep",
        "'', /tasks/, null",
        "'', /tasks, null",
        "'', /tasks/echo/result, null",
        "'', /tasks/abc/def, null",
        "'', /tasks/echo;jsessionid=1, null",
        "'', /other/echo, null",
        "'', /taskss/echo, null",
        "/app, /tasks/echo, null",
    })
    void typeOfIsTheSingleSegmentAfterTasks(String contextPath, String uri, String expected) {
        assertThat(IntakeFilter.typeOf(request(contextPath, uri, null))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "Content-Type {0}")
    @CsvSource(nullValues = "null", value = {"application/json", "text/plain; charset=x-unknown", "null"})
    void contentTypeIsTheHeaderAsSentWithoutParsingTheCharset(String contentType) {
        assertThat(IntakeFilter.contentTypeOf(request("", "/tasks/echo", contentType))).isEqualTo(contentType);
    }
}
