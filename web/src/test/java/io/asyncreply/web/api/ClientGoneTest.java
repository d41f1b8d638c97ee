package io.asyncreply.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientGone} reacts to what a container reports about a suspended request. (End to end,
 * with containers that report a reset HTTP/2 stream and do not report a closed HTTP/1.1
 * connection: AbandonedLongPollsIT and AbandonedLongPollsContainerIT.)
 */
class ClientGoneTest {
    private final List<AsyncListener> listeners = new ArrayList<>();
    private AsyncContext ctx;

    private HttpServletRequest suspended(boolean asyncStarted) {
        ctx = (AsyncContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {AsyncContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("addListener")) {
                        listeners.add((AsyncListener) args[0]);
                    }
                    return null;
                });
        AsyncContext context = ctx;
        return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "isAsyncStarted" -> asyncStarted;
                    case "getAsyncContext" -> context;
                    case "getRemoteAddr" -> "192.0.2.1";
                    default -> null;
                });
    }

    @Test
    void anErrorReportedByTheContainerOrTheEndOfTheRequestRunsGone() throws IOException {
        AtomicInteger gone = new AtomicInteger();
        ClientGone.onClientGone(suspended(true), gone::incrementAndGet);
        assertThat(listeners).hasSize(1);

        listeners.get(0).onTimeout(new AsyncEvent(ctx));
        assertThat(gone).hasValue(0);
        listeners.get(0).onError(new AsyncEvent(ctx, new IOException("connection reset")));
        assertThat(gone).hasValue(1);
        listeners.get(0).onComplete(new AsyncEvent(ctx));
        assertThat(gone).hasValue(2);
    }

    @Test
    void nothingIsRegisteredForARequestThatIsNotSuspendedOrMissing() {
        ClientGone.onClientGone(suspended(false), () -> { });
        ClientGone.onClientGone(null, () -> { });

        assertThat(listeners).isEmpty();
        assertThat(ClientGone.remoteAddr(suspended(true))).isEqualTo("192.0.2.1");
        assertThat(ClientGone.remoteAddr(null)).isNull();
    }
}
