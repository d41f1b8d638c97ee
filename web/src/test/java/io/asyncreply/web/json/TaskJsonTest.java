package io.asyncreply.web.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaskJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-11-25T10:15:30.123Z");

    private static Task task(String id, TaskStatus status, TaskResult result, TaskError error) {
        return new Task(id, "echo", status, AT, AT, AT, 1, null, result, error, false, null, null, 0, null, null,
                null);
    }

    @Test
    void anErrorHasItsCodeNextToItsMessage() throws Exception {
        JsonNode t = JSON.readTree(TaskJson.task(task("a", TaskStatus.FAILED, null,
                new TaskError(TaskError.TIMEOUT, "ran too long")), ""));

        assertThat(t.path("error").path("code").asText()).isEqualTo("timeout");
        assertThat(t.path("error").path("message").asText()).isEqualTo("ran too long");
    }

    @Test
    void aSummaryIsShownByUrlAndContentTypeOnly() throws Exception {
        JsonNode t = JSON.readTree(TaskJson.task(task("a", TaskStatus.SUCCEEDED,
                TaskResult.summary("application/json", 10_000_000), null), "/ctx"));

        assertThat(t.path("resultUrl").asText()).isEqualTo("/ctx/tasks/a/result");
        assertThat(t.path("resultContentType").asText()).isEqualTo("application/json");
        assertThat(t.has("result")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"EFBBBF7B7D", "C0AF", "EDA080", "80", "7B2261223A317D2C", "FEFF007B007D", "7B0022"})
    void onlyJsonThatCanBeEmbeddedAsIsIsInlined(String hex) throws Exception {
        byte[] bytes = java.util.HexFormat.of().parseHex(hex);
        byte[] out = TaskJson.task(task("a", TaskStatus.SUCCEEDED, TaskResult.of(bytes, "application/json"), null), "");

        JsonNode t = new ObjectMapper().readTree(new String(out, StandardCharsets.UTF_8));
        assertThat(t.has("result")).isFalse();
        assertThat(TaskJson.embeddable(bytes)).isFalse();
    }

    @Test
    void aPageInlinesResultsWhileTheyFitItsBudget() throws Exception {
        byte[] quarter = ("\"" + "q".repeat(TaskJson.PAGE_INLINE_BUDGET / 4 - 2) + "\"")
                .getBytes(StandardCharsets.UTF_8);
        List<Task> items = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            items.add(task("t" + i, TaskStatus.SUCCEEDED, TaskResult.of(quarter, "application/json"), null));
        }
        items.add(task("small", TaskStatus.SUCCEEDED, TaskResult.json("{}"), null));

        byte[] out = TaskJson.page(new TaskPage(items, "x"), "next-cursor", "");

        JsonNode page = JSON.readTree(out);
        List<Boolean> inlined = new ArrayList<>();
        page.path("items").forEach(n -> inlined.add(n.has("result")));
        assertThat(inlined).containsExactly(true, true, true, true, false, false, false);
        assertThat(page.path("next").asText()).isEqualTo("next-cursor");
        assertThat(out.length).isLessThan(TaskJson.PAGE_INLINE_BUDGET + 4096);
    }
}
