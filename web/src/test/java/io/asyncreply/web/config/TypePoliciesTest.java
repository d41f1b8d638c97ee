package io.asyncreply.web.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncreply.handlers.Builtins;
import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TypePolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TypePoliciesTest {
    /** A handler that retries by itself: 3 attempts, 2 s apart, doubling. */
    private static final TaskHandler RETRYING = new TaskHandler() {
        @Override
        public String type() {
            return "thumbnail";
        }

        @Override
        public RetryPolicy retryPolicy() {
            return RetryPolicy.exponential(3, Duration.ofSeconds(2));
        }

        @Override
        public TaskResult handle(TaskContext context) {
            return TaskResult.empty();
        }
    };

    private static Map<String, TaskHandler> handlers() {
        Map<String, TaskHandler> m = new LinkedHashMap<>();
        Builtins.all().forEach(h -> m.put(h.type(), h));
        m.put(RETRYING.type(), RETRYING);
        return m;
    }

    private static Map<String, TypePolicy> policies(Map<String, String> settings) {
        return TypePolicies.from(new Settings(settings::get, Map.of(), n -> null), handlers(), settings.keySet());
    }

    @Test
    void typesWithoutSettingsHaveNoPolicy() {
        assertThat(policies(Map.of())).isEmpty();
    }

    @Test
    void everyKeyOfATypeIsRead() {
        Map<String, TypePolicy> p = policies(Map.of(
                "asyncreply.types.sleep.concurrency", "2",
                "asyncreply.types.sleep.rate", "30/m",
                "asyncreply.types.sleep.timeout", "90s",
                "asyncreply.types.sleep.priority", "-4",
                "asyncreply.types.sleep.max-attempts", "4",
                "asyncreply.types.sleep.retry-delay", "500ms",
                "asyncreply.types.sleep.retry-max-delay", "1m",
                "asyncreply.types.sleep.retry-multiplier", "1.5"));

        TypePolicy sleep = p.get("sleep");
        assertThat(sleep.concurrency()).isEqualTo(2);
        assertThat(sleep.rate()).isEqualTo(0.5);
        assertThat(sleep.timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(sleep.priority()).isEqualTo(-4);
        assertThat(sleep.retry()).isEqualTo(new RetryPolicy(4, Duration.ofMillis(500), Duration.ofMinutes(1), 1.5));
        assertThat(p).containsOnlyKeys("sleep");
    }

    @Test
    void aRetryKeyAloneKeepsTheHandlersOtherValues() {
        assertThat(policies(Map.of("asyncreply.types.thumbnail.max-attempts", "5")).get("thumbnail").retry())
                .isEqualTo(new RetryPolicy(5, Duration.ofSeconds(2), Duration.ofMinutes(10), 2.0));
        assertThat(policies(Map.of("asyncreply.types.echo.max-attempts", "3")).get("echo").retry())
                .as("a handler that does not retry: 1 s, doubling, at most 10 min")
                .isEqualTo(new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofMinutes(10), 2.0));
        assertThat(policies(Map.of("asyncreply.types.echo.rate", "2.5")).get("echo").retry()).isNull();
    }

    @Test
    void aBadValueOrAnUnknownKeyFailsNamingTheSetting() {
        for (Map.Entry<String, String> bad : Map.of(
                "asyncreply.types.sleep.concurrency", "-1",
                "asyncreply.types.sleep.rate", "fast",
                "asyncreply.types.sleep.timeout", "0s",
                "asyncreply.types.sleep.priority", "11",
                "asyncreply.types.sleep.max-attempts", "0",
                "asyncreply.types.sleep.retry-multiplier", "0.5",
                "asyncreply.types.sleep.concurency", "2").entrySet()) {
            assertThatThrownBy(() -> policies(Map.of(bad.getKey(), bad.getValue()))).as(bad.toString())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.getKey());
        }
        assertThatThrownBy(() -> policies(Map.of("asyncreply.types.sleep.retry-delay", "2m",
                "asyncreply.types.sleep.retry-max-delay", "1m"))).hasMessageContaining("retry-max-delay");
    }

    @Test
    void settingsOfATypeThisNodeDoesNotServeAreIgnored() {
        assertThat(policies(Map.of("asyncreply.types.elsewhere.concurrency", "1",
                "asyncreply.types.elsewhere.typo", "1"))).isEmpty();
    }

    @Test
    void theEnvironmentSetsAPolicyLikeAnyOtherSetting() {
        Settings s = new Settings(n -> null, Map.of("ASYNCREPLY_TYPES_SLEEP_CONCURRENCY", "3"), n -> null);
        assertThat(TypePolicies.from(s, handlers(), java.util.List.of()).get("sleep").concurrency()).isEqualTo(3);
    }
}
