package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The task log, as an operator reads it through java.util.logging (where System.Logger goes without
 * a logging library): one INFO record per task ended, with its figures and never its payload or
 * result, and no way for a handler's message to add a record of its own.
 */
class TaskLogTest {
    private final Logger jul = Logger.getLogger(TaskLog.class.getName());
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level levelBefore;

    @BeforeEach
    void captureTheTaskLog() {
        levelBefore = jul.getLevel();
        jul.setLevel(Level.ALL);
        capture.setLevel(Level.ALL);
        jul.addHandler(capture);
    }

    @AfterEach
    void release() {
        jul.removeHandler(capture);
        jul.setLevel(levelBefore);
    }

    private List<String> linesAbout(String id) {
        SimpleFormatter f = new SimpleFormatter();
        return records.stream().filter(r -> r.getLevel() == Level.INFO).map(f::formatMessage)
                .filter(m -> m.contains(id)).toList();
    }

    @Test
    void aSucceededTaskHasOneInfoLineWithItsFiguresAndNeitherPayloadNorResult() throws Exception {
        try (TaskService s = Tasks.builder().handler(Tasks.handler("work",
                ctx -> TaskResult.json("{\"secret-result\":1}"))).build()) {
            Task t = Tasks.submit(s, "work", "secret-payload");
            awaitTerminal(s, t.id());

            await().atMost(Duration.ofSeconds(5)).until(() -> linesAbout(t.id()).size() == 1);
            String line = linesAbout(t.id()).get(0);
            assertThat(line).matches("task ended: id=" + t.id() + " type=work status=SUCCEEDED attempts=1 "
                    + "waitMs=\\d+ runMs=\\d+ totalMs=\\d+");
            assertThat(records).extracting(LogRecord::getMessage)
                    .noneMatch(m -> m.contains("secret-payload") || m.contains("secret-result"));
            assertThat(records.stream().filter(r -> r.getLevel() == Level.FINE).map(LogRecord::getMessage))
                    .as("the submission, at DEBUG only").containsExactly("task submitted: id=" + t.id()
                            + " type=work priority=0");
        }
    }

    @Test
    void aNewlineInAHandlersErrorMessageCannotStartASecondRecord() throws Exception {
        String forged = "disk full\nDec 01, 2026 4:20:24 PM io.asyncreply.engine.TaskLog finished\n"
                + "INFO: task ended: id=forged type=work status=SUCCEEDED\r\u0085\u2028\" status=SUCCEEDED";
        try (TaskService s = Tasks.builder().handler(Tasks.handler("work", ctx -> {
            throw new IllegalStateException(forged);
        })).build()) {
            Task t = Tasks.submit(s, "work", "x");
            awaitTerminal(s, t.id());

            await().atMost(Duration.ofSeconds(5)).until(() -> !linesAbout(t.id()).isEmpty());
            List<String> lines = linesAbout(t.id());
            assertThat(lines).hasSize(1);
            String line = lines.get(0);
            assertThat(line).doesNotContain("\n", "\r", "\u0085", "\u2028")
                    .startsWith("task ended: id=" + t.id() + " type=work status=FAILED attempts=1 ")
                    .contains(" error.code=handler-error error.message=\"disk full\\nDec 01, 2026")
                    .endsWith("\\r\\u0085\\u2028\\\" status=SUCCEEDED\"");
            // the quote in the message is escaped: the only unescaped quotes are the field's own
            assertThat(line.replace("\\\"", "").chars().filter(c -> c == '"').count()).isEqualTo(2);
            assertThat(records).extracting(LogRecord::getMessage).noneMatch(m -> m.startsWith("INFO: task ended: id=forged"));
        }
    }

    @Test
    void aTaskCancelledWhileQueuedHasItsLineWithoutARunTime() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().workers(1).handler(gate).build()) {
            Tasks.submit(s, "gate", "blocker");
            gate.started.take();
            Task t = Tasks.submit(s, "gate", "x");
            s.cancel(t.id());

            assertThat(linesAbout(t.id())).singleElement().asString()
                    .matches("task ended: id=" + t.id() + " type=gate status=CANCELLED attempts=0 waitMs=\\d+ totalMs=\\d+");
            gate.gate.countDown();
        }
    }
}
