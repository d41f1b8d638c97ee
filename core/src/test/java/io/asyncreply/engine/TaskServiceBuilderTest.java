package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.awaitTerminal;
import static io.asyncreply.engine.Tasks.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncreply.handlers.Builtins;
import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.task.Health;
import io.asyncreply.task.Task;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class TaskServiceBuilderTest {

    @Test
    void handlers_listed_for_service_loader_are_discovered_and_run() throws Exception {
        try (TaskService s = Tasks.builder().discoverHandlers(getClass().getClassLoader()).build()) {
            assertThat(s.types()).contains(DiscoveredTestHandler.TYPE);
            assertThat(s.handler(DiscoveredTestHandler.TYPE)).containsInstanceOf(DiscoveredTestHandler.class);
            Task t = awaitTerminal(s, submit(s, DiscoveredTestHandler.TYPE, "").id());
            assertThat(new String(t.result().bytes(), StandardCharsets.UTF_8)).isEqualTo("found me");
        }
    }

    @Test
    void a_type_registered_twice_is_refused_whether_registered_or_discovered() {
        TaskService.Builder b = Tasks.builder().handler(Tasks.noop("dup"));
        assertThatThrownBy(() -> b.handler(Tasks.noop("dup"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dup");

        TaskService.Builder c = Tasks.builder().handler(Tasks.noop(DiscoveredTestHandler.TYPE));
        assertThatThrownBy(() -> c.discoverHandlers(getClass().getClassLoader()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(DiscoveredTestHandler.TYPE);

        TaskService.Builder d = Tasks.builder().handlers(Builtins.all());
        assertThatThrownBy(() -> d.handler(Tasks.noop("echo"))).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", " ", "a b", "-lead", ".lead", "_lead", "a/b", "tâche", "a\nb", "x?"})
    void a_bad_type_name_is_refused(String type) {
        assertThatThrownBy(() -> Tasks.builder().handler(Tasks.noop(type)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_type_name_of_more_than_100_characters_is_refused() {
        Tasks.builder().handler(Tasks.noop("a".repeat(100)));
        assertThatThrownBy(() -> Tasks.builder().handler(Tasks.noop("a".repeat(101))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "0", "image.resize", "send_mail", "v2-report", "A.b_c-9"})
    void good_type_names_are_accepted(String type) {
        try (TaskService s = Tasks.builder().handler(Tasks.noop(type)).build()) {
            assertThat(s.types()).containsExactly(type);
        }
    }

    @Test
    void impossible_settings_are_refused() {
        assertThatThrownBy(() -> TaskService.builder().build()).isInstanceOf(IllegalStateException.class);
        TaskService.Builder b = TaskService.builder().store(new MemoryTaskStore());
        assertThatThrownBy(() -> b.workers(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.queueCapacity(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.leaseDuration(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.pollInterval(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.retention(Duration.ZERO, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.retention(Duration.ofHours(1), -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.purgeInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.shutdownGrace(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void health_reports_the_queue_the_running_tasks_and_the_workers() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().workers(1).queueCapacity(7).handler(gate).build()) {
            submit(s, "gate", "");
            gate.awaitStart();
            submit(s, "gate", "");
            Health h = s.health();
            assertThat(h.isUp()).isTrue();
            assertThat(h.queued()).isEqualTo(1);
            assertThat(h.running()).isEqualTo(1);
            assertThat(h.workers()).isEqualTo(1);
            assertThat(h.queueCapacity()).isEqualTo(7);
            gate.open();
        }
    }
}
