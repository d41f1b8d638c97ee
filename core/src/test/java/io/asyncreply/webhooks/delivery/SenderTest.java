package io.asyncreply.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sender against servers on 127.0.0.1: plain sockets scripted by each test, a JDK HTTPS server. */
class SenderTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final byte[] BODY = "{\"type\":\"task.succeeded\"}".getBytes(StandardCharsets.UTF_8);
    private static final List<String[]> HEADERS = List.<String[]>of(new String[] {"webhook-id", "msg_1"});

    @TempDir
    static Path dir;
    private static SSLContext serverTls;
    private static SSLSocketFactory clientTls;

    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor();
    private ServerSocket server;

    /** A key pair for the name "localhost" made by the JDK's keytool; the client trusts only its certificate. */
    @BeforeAll
    static void keys() throws Exception {
        Path store = dir.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", keys.getCertificate("server"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        clientTls = client.getSocketFactory();
    }

    @AfterAll
    static void noKeys() {
        serverTls = null;
    }

    @AfterEach
    void stop() throws IOException {
        deadlines.shutdownNow();
        if (server != null) {
            server.close();
        }
    }

    private Sender sender(Duration read) {
        WebhookSettings s = WebhookSettings.of(null, AddressPolicy.parse("")).withTimeouts(Duration.ofSeconds(2), read);
        return new Sender(s, deadlines, clientTls);
    }

    /** Accepts one connection, reads the request's head and body, answers {@code answer} (null: never). */
    private CompletableFuture<String> serveOnce(String answer) throws IOException {
        return serveOnce(answer, false);
    }

    /** {@link #serveOnce(String)}; {@code keepOpen}: the connection stays open after the answer until the client closes it. */
    private CompletableFuture<String> serveOnce(String answer, boolean keepOpen) throws IOException {
        server = new ServerSocket(0, 1, LOOPBACK);
        CompletableFuture<String> request = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                String head = readRequest(s.getInputStream());
                request.complete(head);
                if (answer != null) {
                    s.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush();
                    if (keepOpen) {
                        s.getInputStream().read();
                    }
                } else {
                    s.getInputStream().read(); // until the client gives up
                }
            } catch (IOException e) {
                request.completeExceptionally(e);
            }
        }, "sender-test-server");
        t.setDaemon(true);
        t.start();
        return request;
    }

    private static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = Integer.parseInt(h.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
        return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private int port() {
        return server.getLocalPort();
    }

    @Test
    void theRequestGoesToTheCheckedAddressEvenWhenTheNameResolvesNowhere() throws Exception {
        CompletableFuture<String> request = serveOnce("HTTP/1.1 204 No Content\r\n\r\n");
        // "rebound.invalid" cannot resolve (RFC 6761): only the address the policy checked can be reached
        Sender.Result r = sender(Duration.ofSeconds(2)).send(URI.create("http://rebound.invalid:" + port()
                + "/hooks/a?x=1"), List.of(LOOPBACK), BODY, HEADERS);

        assertThat(r).isEqualTo(new Sender.Result(204, null));
        String sent = request.get(5, TimeUnit.SECONDS);
        assertThat(sent).startsWith("POST /hooks/a?x=1 HTTP/1.1\r\n").contains("\r\nHost: rebound.invalid:" + port()
                + "\r\n", "\r\nContent-Type: application/json\r\n", "\r\nContent-Length: " + BODY.length + "\r\n",
                "\r\nwebhook-id: msg_1\r\n", "\r\nConnection: close\r\n").endsWith("\r\n\r\n"
                + new String(BODY, StandardCharsets.UTF_8));
    }

    @Test
    void theAddressesAreTriedInOrderUntilOneConnects() throws Exception {
        serveOnce("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        InetAddress refused = InetAddress.getByName("127.0.0.2"); // nothing listens there on this port

        Sender.Result r = sender(Duration.ofSeconds(2)).send(URI.create("http://hooks.invalid:" + port() + "/"),
                List.of(refused, LOOPBACK), BODY, HEADERS);

        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void interimAnswersArePassedOverForTheFinalStatus() throws Exception {
        serveOnce("HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\nHTTP/1.1 429 Too Many Requests\r\n"
                + "Retry-After: 1\r\n\r\n");

        Sender.Result r = sender(Duration.ofSeconds(2)).send(URI.create("http://hooks.invalid:" + port() + "/"),
                List.of(LOOPBACK), BODY, HEADERS);

        assertThat(r.status()).isEqualTo(429);
    }

    @Test
    void anAnswerIsReadToTheEndItsLengthGivesWhenTheReceiverKeepsTheConnectionOpen() throws Exception {
        serveOnce("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true);

        // the read timeout is far longer than the test's bound: only the answer's framing can end the read in time
        Sender.Result r = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> sender(Duration.ofSeconds(60))
                .send(URI.create("http://hooks.invalid:" + port() + "/"), List.of(LOOPBACK), BODY, HEADERS));

        assertThat(r).isEqualTo(new Sender.Result(200, null));
    }

    @Test
    void aChunkedAnswerIsReadToItsLastChunkWhenTheReceiverKeepsTheConnectionOpen() throws Exception {
        serveOnce("HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\noops\r\n"
                + "3\r\n!!!\r\n0\r\n\r\n", true);

        Sender.Result r = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> sender(Duration.ofSeconds(60))
                .send(URI.create("http://hooks.invalid:" + port() + "/"), List.of(LOOPBACK), BODY, HEADERS));

        assertThat(r).isEqualTo(new Sender.Result(500, null));
    }

    @Test
    void anAnswerThatIsNotHttpIsANetworkFailure() throws Exception {
        serveOnce("SSH-2.0-OpenSSH_9.2\r\n");

        Sender.Result r = sender(Duration.ofSeconds(2)).send(URI.create("http://hooks.invalid:" + port() + "/"),
                List.of(LOOPBACK), BODY, HEADERS);

        assertThat(r).isEqualTo(new Sender.Result(null, "network"));
    }

    @Test
    void aReceiverThatNeverAnswersTimesOut() throws Exception {
        serveOnce(null);

        long t0 = System.nanoTime();
        Sender.Result r = sender(Duration.ofMillis(300)).send(URI.create("http://hooks.invalid:" + port() + "/"),
                List.of(LOOPBACK), BODY, HEADERS);

        assertThat(r).isEqualTo(new Sender.Result(null, "timeout"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aHeaderValueWithALineBreakIsNotSent() throws Exception {
        serveOnce("HTTP/1.1 204 No Content\r\n\r\n");

        Sender.Result r = sender(Duration.ofSeconds(2)).send(URI.create("http://hooks.invalid:" + port() + "/"),
                List.of(LOOPBACK), BODY, List.<String[]>of(new String[] {"traceparent", "x\r\nX-Forged: 1"}));

        assertThat(r).isEqualTo(new Sender.Result(null, "client-error"));
    }

    @Test
    void httpsIsSentToTheCheckedAddressWithTheUrlsNameForTheCertificate() throws Exception {
        HttpsServer https = HttpsServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        CompletableFuture<String> host = new CompletableFuture<>();
        https.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            host.complete(ex.getRequestHeaders().getFirst("Host"));
            ex.sendResponseHeaders(202, -1);
            ex.close();
        });
        https.start();
        try {
            int port = https.getAddress().getPort();
            Sender.Result r = sender(Duration.ofSeconds(2)).send(URI.create("https://localhost:" + port + "/h"),
                    List.of(LOOPBACK), BODY, HEADERS);

            assertThat(r).isEqualTo(new Sender.Result(202, null));
            assertThat(host.get(5, TimeUnit.SECONDS)).isEqualTo("localhost:" + port);
        } finally {
            https.stop(0);
        }
    }

    @Test
    void httpsRefusesACertificateThatDoesNotNameTheUrlsHost() throws Exception {
        HttpsServer https = HttpsServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        CompletableFuture<Boolean> reached = new CompletableFuture<>();
        https.createContext("/", ex -> {
            reached.complete(true);
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        https.start();
        try {
            // the certificate names "localhost"; the URL names another host at the same address
            Sender.Result r = sender(Duration.ofSeconds(2)).send(URI.create("https://hooks.example.com:"
                    + https.getAddress().getPort() + "/h"), List.of(LOOPBACK), BODY, HEADERS);

            assertThat(r).isEqualTo(new Sender.Result(null, "network"));
            assertThat(reached).isNotDone();
        } finally {
            https.stop(0);
        }
    }

    @Test
    void abortingEndsAnExchangeThatWaitsForItsAnswer() throws Exception {
        serveOnce(null);
        Sender sender = sender(Duration.ofSeconds(30));
        CompletableFuture<Sender.Result> r = CompletableFuture.supplyAsync(() -> {
            try {
                return sender.send(URI.create("http://hooks.invalid:" + port() + "/"), List.of(LOOPBACK), BODY, HEADERS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            sender.abortAll();
            return r.isDone();
        });

        assertThat(r.get().status()).isNull();
    }
}
