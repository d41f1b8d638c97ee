package io.asyncreply.webhooks.delivery;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One POST with the JDK's {@link HttpClient}: no redirects followed, a connect timeout, and a
 * deadline on the whole exchange (the answer's headers and at most {@code maxResponseBytes} of its
 * body, the rest discarded with the connection). The caller's thread waits for it; the client's own
 * work runs on {@code executor}, this dispatcher's threads, never a worker's.
 */
final class Sender {
    /** What an attempt came to: an HTTP status, or no answer ({@code error}: {@code timeout} or {@code network}). */
    record Result(Integer status, String error) {
    }

    private final HttpClient client;
    private final long deadlineMillis;
    private final int maxResponseBytes;
    private final java.time.Duration readTimeout;

    Sender(WebhookSettings s, ExecutorService executor) {
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(s.connectTimeout()).executor(executor).version(HttpClient.Version.HTTP_1_1).build();
        this.deadlineMillis = s.connectTimeout().plus(s.readTimeout()).toMillis();
        this.maxResponseBytes = s.maxResponseBytes();
        this.readTimeout = s.readTimeout();
    }

    /** Sends; throws {@link InterruptedException} when the node stops meanwhile (the request is abandoned). */
    Result send(URI uri, byte[] body, List<String[]> headers) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(readTimeout)
                .header("Content-Type", "application/json").header("User-Agent", "asyncreply-webhooks")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (String[] h : headers) {
            b.header(h[0], h[1]);
        }
        CompletableFuture<HttpResponse<Void>> f = client.sendAsync(b.build(), info -> new Bounded(maxResponseBytes));
        try {
            return new Result(f.get(deadlineMillis, TimeUnit.MILLISECONDS).statusCode(), null);
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Result(null, "timeout");
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof HttpTimeoutException) {
                return new Result(null, "timeout");
            }
            return new Result(null, c instanceof IOException ? "network" : "client-error");
        }
    }

    /** Reads at most {@code max} bytes of a body, then cancels the rest: done either way. */
    private static final class Bounded implements HttpResponse.BodySubscriber<Void> {
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final long max;
        private long seen;
        private Flow.Subscription subscription;

        Bounded(long max) {
            this.max = max;
        }

        @Override
        public CompletionStage<Void> getBody() {
            return done;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                seen += b.remaining();
            }
            if (seen > max) {
                subscription.cancel();
                done.complete(null);
            } else {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable t) {
            done.complete(null); // the status is known; what the body did does not matter
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }
    }
}
