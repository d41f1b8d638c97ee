package io.asyncreply.web.intake;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IntakeFilterTest {

    /**
     * A request with only the decoded path a container gives ({@code getServletPath} and
     * {@code getPathInfo}; the WAR maps Jersey to {@code /*}, so the servlet path is empty) and a
     * Content-Type header.
     */
    private static HttpServletRequest request(String servletPath, String pathInfo, String contentType) {
        return (HttpServletRequest) Proxy.newProxyInstance(IntakeFilterTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getServletPath" -> servletPath;
                    case "getPathInfo" -> pathInfo;
                    case "getHeader" -> "Content-Type".equalsIgnoreCase((String) args[0]) ? contentType : null;
                    case "getContentType" -> throw new java.nio.charset.UnsupportedCharsetException("x");
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @ParameterizedTest(name = "servlet path \"{0}\", path info {1} -> {2}")
    @CsvSource(nullValues = "null", value = {
        "'', /tasks/echo, echo",
        "'', /tasks/my-type.v2, my-type.v2",
        "/tasks, /sleep, sleep",
        "'', /tasks/, null",
        "'', /tasks, null",
        "'', /tasks/echo/result, null",
        "'', /tasks/abc/def, null",
        "'', /tasks/echo/, null",
        "'', /other/echo, null",
        "'', /taskss/echo, null",
        "'', null, null",
    })
    void typeOfIsTheSingleDecodedSegmentAfterTasks(String servletPath, String pathInfo, String expected) {
        assertThat(IntakeFilter.typeOf(request(servletPath, pathInfo, null))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "Content-Type {0}")
    @CsvSource(nullValues = "null", value = {"application/json", "text/plain; charset=x-unknown", "null"})
    void contentTypeIsTheHeaderAsSentWithoutParsingTheCharset(String contentType) {
        assertThat(IntakeFilter.contentTypeOf(request("", "/tasks/echo", contentType))).isEqualTo(contentType);
    }
}
