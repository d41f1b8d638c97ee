package io.asyncreply.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The memory store's bounded event log: what it keeps, what it says it lost, and out-of-order adds. */
class MemoryEventLogTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final MemoryEventLog log = new MemoryEventLog(4);

    /** Makes one event: takes its id, adds it, ends it. */
    private TaskEvent made() {
        long id = log.begin();
        TaskEvent e = event(id);
        log.add(e);
        log.end(id);
        return e;
    }

    private static TaskEvent event(long id) {
        return TaskEvent.of(TaskEvent.Kind.QUEUED, id, Task.queued("t" + id, "echo", T0), "n", T0);
    }

    private static List<Long> ids(EventPage p) {
        return p.events().stream().map(TaskEvent::id).toList();
    }

    @Test
    void keepsTheEventsOfTheLastIdsAndSaysWhenACursorFellBehindThem() {
        for (int i = 0; i < 6; i++) {
            made();
        }

        EventPage fromStart = log.read(EventCursor.after(0), 100);
        assertThat(fromStart.missed()).isEqualTo(-1);
        assertThat(ids(fromStart)).containsExactly(3L, 4L, 5L, 6L);
        EventPage recent = log.read(EventCursor.after(4), 100);
        assertThat(recent.missed()).isZero();
        assertThat(ids(recent)).containsExactly(5L, 6L);
    }

    @Test
    void anEventAddedLateAfterANewerOneTookItsSlotIsDroppedNotWrittenOverTheNewer() {
        long late = log.begin(); // id 1, in flight while four more are made
        for (int i = 0; i < 4; i++) {
            made(); // ids 2..5; id 5 takes the slot of id 1
        }

        log.add(event(late));
        log.end(late);

        EventPage p = log.read(EventCursor.after(0), 100);
        assertThat(ids(p)).containsExactly(2L, 3L, 4L, 5L);
        assertThat(p.missed()).isEqualTo(-1);
    }

    @Test
    void noEventIsReadPastAnIdStillInFlightAndAPurgedEventIsGone() {
        TaskEvent first = made();
        long open = log.begin();
        made();

        assertThat(ids(log.read(EventCursor.after(0), 100))).containsExactly(1L);
        log.add(event(open));
        log.end(open);
        assertThat(ids(log.read(EventCursor.after(0), 100))).containsExactly(1L, 2L, 3L);

        log.remove(List.of(first));
        EventPage p = log.read(EventCursor.after(0), 100);
        assertThat(ids(p)).containsExactly(2L, 3L);
        assertThat(p.next().position()).isEqualTo(3);
    }
}
