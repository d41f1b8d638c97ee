package io.asyncreply.web.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.web.http.Responses;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AnswerGuardTest {
    private final AtomicInteger written = new AtomicInteger();
    private final Responses.Answer answer = r -> written.incrementAndGet();

    @Test
    void anAnswerIsWrittenWhileTheExchangeLasts() throws Exception {
        AnswerGuard guard = new AnswerGuard();

        assertThat(guard.write(answer, null)).isTrue();
        assertThat(written).hasValue(1);
    }

    @Test
    void noAnswerIsWrittenOnceTheContainerSaidTheExchangeFailed() throws Exception {
        AnswerGuard guard = new AnswerGuard();
        guard.over();

        assertThat(guard.write(answer, null)).isFalse();
        assertThat(written).hasValue(0);
    }
}
