package com.example.wordcount;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.engine.TaskService;
import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.task.Rejection;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The handler run by the real engine, as the WAR runs it: found by ServiceLoader, on a worker thread. */
class WordCountHandlerTest {

    private final TaskService tasks = TaskService.builder()
            .store(new MemoryTaskStore())
            .workers(1)
            .discoverHandlers(WordCountHandler.class.getClassLoader()) // META-INF/services
            .build();

    @AfterEach
    void stop() {
        tasks.close();
    }

    @Test
    void countsTheWordsAndLinesOfAText() throws Exception {
        Submission s = submit("the quick brown fox\njumps over\n\nthe lazy dog\n");

        assertThat(s).isInstanceOf(Submission.Accepted.class);
        String id = ((Submission.Accepted) s).task().id();
        Optional<Task> done = tasks.awaitTerminal(id, Duration.ofSeconds(10)).toCompletableFuture()
                .get(15, TimeUnit.SECONDS);

        assertThat(done).hasValueSatisfying(task -> {
            assertThat(task.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(task.result().contentType()).isEqualTo("application/json");
            assertThat(new String(task.result().bytes(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"words\":9,\"lines\":4}");
        });
    }

    @Test
    void anEmptyTextIsRefusedBeforeItIsQueued() throws Exception {
        Submission s = submit("");

        assertThat(s).isInstanceOfSatisfying(Submission.Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo(Rejection.INVALID_PAYLOAD);
            assertThat(r.detail()).contains("the text is empty");
        });
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedBeforeTheyAreQueued() throws Exception {
        Submission s = tasks.submit("wordcount", new byte[] {(byte) 0xC3, (byte) 0x28}, "text/plain", null)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(s).isInstanceOfSatisfying(Submission.Rejected.class,
                r -> assertThat(r.detail()).contains("not UTF-8"));
    }

    private Submission submit(String text) throws Exception {
        return tasks.submit("wordcount", text.getBytes(StandardCharsets.UTF_8), "text/plain", null)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
