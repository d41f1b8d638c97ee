package io.asyncreply.bench.ceiling;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The intake ceiling (benchmark only): reads the whole body without blocking, the way the product's
 * intake does (a {@link ReadListener}, reading only while {@code isReady()}), then answers
 * {@code 202} with an empty body. Nothing else: no parsing, no storing, no JSON. Any method and
 * path; {@code GET} answers 200 at once (used as a readiness probe).
 */
public final class CeilingServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) {
        res.setStatus(200);
        res.setContentLength(0);
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
        AsyncContext async = req.startAsync();
        async.setTimeout(30_000);
        ServletInputStream in = req.getInputStream();
        in.setReadListener(new ReadListener() {
            private final byte[] buf = new byte[8192];
            private boolean done;

            @Override
            public void onDataAvailable() throws IOException {
                while (in.isReady() && !in.isFinished()) {
                    if (in.read(buf) < 0) {
                        return;
                    }
                }
            }

            @Override
            public void onAllDataRead() {
                finish(202);
            }

            @Override
            public void onError(Throwable t) {
                finish(-1);
            }

            private synchronized void finish(int status) {
                if (done) {
                    return;
                }
                done = true;
                if (status > 0) {
                    res.setStatus(status);
                    res.setContentLength(0);
                }
                async.complete();
            }
        });
    }
}
