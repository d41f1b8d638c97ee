package io.asyncreply.engine;

import io.asyncreply.task.Rejection;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskObserver;
import java.lang.System.Logger.Level;

/**
 * The observers of one node, as the engine's units call them: the {@link TaskLog} first, then the
 * one configured ({@link TaskService.Builder#observer}). An exception from the configured one is
 * logged (the first at WARNING, later ones at DEBUG, so that a broken observer cannot flood the
 * log from the write path) and never reaches the unit that called it.
 */
final class Observers implements TaskObserver {
    private static final System.Logger LOG = System.getLogger(Observers.class.getName());

    private final TaskLog log;
    private final TaskObserver other;
    private volatile boolean warned;

    Observers(TaskLog log, TaskObserver other) {
        this.log = log;
        this.other = other;
    }

    private void failed(RuntimeException e) {
        Level level = warned ? Level.DEBUG : Level.WARNING;
        warned = true;
        LOG.log(level, "the task observer " + other.getClass().getName() + " failed; its figures may be off", e);
    }

    @Override
    public void submitted(Task task) {
        log.submitted(task);
        try {
            other.submitted(task);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void rejected(String type, Rejection reason) {
        try {
            other.rejected(type, reason);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void started(Task task, long queueWaitMillis) {
        try {
            other.started(task, queueWaitMillis);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void ran(Task task, long runMillis) {
        try {
            other.ran(task, runMillis);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void retried(Task task) {
        try {
            other.retried(task);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void finished(Task task) {
        log.finished(task);
        try {
            other.finished(task);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void expired(Task task) {
        try {
            other.expired(task);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void recovered(Task task) {
        try {
            other.recovered(task);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void cancelledQueued(String type, int count) {
        log.cancelledQueued(type, count);
        try {
            other.cancelledQueued(type, count);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void intakeCommitted(int size, long commitNanos) {
        try {
            other.intakeCommitted(size, commitNanos);
        } catch (RuntimeException e) {
            failed(e);
        }
    }
}
