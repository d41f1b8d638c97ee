package io.asyncreply.task;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Tasks that finished per type and minute over a recent window (the last hour), as
 * {@link io.asyncreply.engine.TaskService#throughput()} counts them.
 *
 * @param from the start of the first minute (a whole UTC minute)
 * @param minutes how many one-minute buckets each series has; the last one is the current, still
 *     open minute
 * @param types one series per type that finished a task in the window, by type name
 */
public record Throughput(Instant from, int minutes, List<Series> types) {
    /** The length of a bucket. */
    public static final Duration BUCKET = Duration.ofMinutes(1);

    public Throughput {
        Objects.requireNonNull(from, "from");
        types = List.copyOf(types);
        for (Series s : types) {
            if (s.succeeded.length != minutes || s.failed.length != minutes || s.cancelled.length != minutes) {
                throw new IllegalArgumentException("every series has one count per minute");
            }
        }
    }

    /** The series of {@code type}, or null when none of its tasks finished in the window. */
    public Series of(String type) {
        return types.stream().filter(s -> s.type.equals(type)).findFirst().orElse(null);
    }

    /**
     * The counts of one type, one per minute, oldest first. The arrays are copied in and out.
     *
     * @param type the task type
     * @param succeeded tasks that ended {@code SUCCEEDED} in each minute
     * @param failed tasks that ended {@code FAILED}
     * @param cancelled tasks that ended {@code CANCELLED}
     */
    public record Series(String type, long[] succeeded, long[] failed, long[] cancelled) {
        public Series {
            Objects.requireNonNull(type, "type");
            succeeded = succeeded.clone();
            failed = failed.clone();
            cancelled = cancelled.clone();
        }

        @Override
        public long[] succeeded() {
            return succeeded.clone();
        }

        @Override
        public long[] failed() {
            return failed.clone();
        }

        @Override
        public long[] cancelled() {
            return cancelled.clone();
        }

        /** Every task of this type that finished in the window. */
        public long total() {
            long n = 0;
            for (int i = 0; i < succeeded.length; i++) {
                n += succeeded[i] + failed[i] + cancelled[i];
            }
            return n;
        }

        /** Those that ended {@code FAILED}. */
        public long totalFailed() {
            long n = 0;
            for (long f : failed) {
                n += f;
            }
            return n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Series s && type.equals(s.type) && java.util.Arrays.equals(succeeded, s.succeeded)
                    && java.util.Arrays.equals(failed, s.failed) && java.util.Arrays.equals(cancelled, s.cancelled);
        }

        @Override
        public int hashCode() {
            return Objects.hash(type, java.util.Arrays.hashCode(succeeded), java.util.Arrays.hashCode(failed),
                    java.util.Arrays.hashCode(cancelled));
        }

        @Override
        public String toString() {
            return "Series[" + type + ", succeeded=" + java.util.Arrays.toString(succeeded) + ", failed="
                    + java.util.Arrays.toString(failed) + ", cancelled=" + java.util.Arrays.toString(cancelled) + "]";
        }
    }
}
