package io.asyncreply.engine;

import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskObserver;
import io.asyncreply.task.TypePolicy;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The units of one {@link TaskService}, built from its {@link ServiceSettings.Checked settings},
 * wired to each other, started ({@link #start()}) and stopped in order ({@link #shutdown(Duration)}).
 * It owns the threads that no single unit owns: the scheduler, the housekeeper and the notifier
 * (see {@link TaskService} for what runs on which). The units are its fields, for the façade to call.
 */
final class ServiceAssembly {
    /** The façade's logger, as before the split: operators' logging settings name it. */
    private static final System.Logger LOG = System.getLogger(TaskService.class.getName());
    /** How long a shutdown waits for inserts of tasks to start at once that are under way ({@link DirectStart}). */
    private static final long DIRECT_START_WAIT_MILLIS = 5_000;

    final TaskStore store;
    final Map<String, TaskHandler> handlers;
    final Clock clock;
    final String nodeId;
    final Duration leaseDuration;
    final Duration shutdownGrace;
    final Map<String, TypePolicy> policies;

    private final NamedThreadFactory schedulerThreads = new NamedThreadFactory("asyncreply-scheduler");
    private final NamedThreadFactory notifierThreads = new NamedThreadFactory("asyncreply-notifier");
    private final NamedThreadFactory housekeeperThreads = new NamedThreadFactory("asyncreply-housekeeper");
    private final ScheduledThreadPoolExecutor scheduler;
    private final ScheduledThreadPoolExecutor housekeeper;
    private final ExecutorService notifier;

    final Admission admission;
    final RunningTasks running;
    final EventDispatcher events;
    final TerminalWaits waits;
    final WorkSignal claims = new WorkSignal();
    final Cancels cancels;
    final HealthCheck healthCheck;
    final TypeCatalog typeCatalog;
    final AttemptHistory attemptHistory;
    final Resubmission resubmission;
    final FinishCounts finishCounts;
    private final Completer completer;
    private final Claimer claimer;
    private final Handoff handoff;
    private final DirectStart direct;
    private final Workers workers;
    private final Maintenance maintenance;

    private volatile boolean stopping;
    private boolean stopped; // guarded by this

    ServiceAssembly(ServiceSettings.Checked s) {
        this.store = s.store();
        this.handlers = s.handlers();
        this.clock = s.clock();
        this.nodeId = s.nodeId();
        this.leaseDuration = s.leaseDuration();
        this.shutdownGrace = s.shutdownGrace();
        this.policies = s.policies();
        TaskObserver observer = new Observers(new TaskLog(), s.observer());
        store.observe(observer);
        Instant startedAt = now();

        this.scheduler = new ScheduledThreadPoolExecutor(1, schedulerThreads);
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.notifier = Executors.newSingleThreadExecutor(notifierThreads);
        this.housekeeper = new ScheduledThreadPoolExecutor(1, housekeeperThreads);
        housekeeper.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);

        this.running = new RunningTasks(scheduler, leaseDuration.toMillis());
        this.events = new EventDispatcher(store, s.pollInterval().toMillis(), this::endedElsewhere);
        this.waits = new TerminalWaits(store, scheduler, notifier, events);
        Outcomes outcomes = new Outcomes();
        this.completer = new Completer(store, clock, nodeId, policies, outcomes, events::poke, observer);
        AttemptRunner runner = new AttemptRunner(handlers, policies, running, completer, this::progress,
                () -> stopping, scheduler);
        this.handoff = new Handoff(claims::wake);
        this.claimer = new Claimer(store, handlers.keySet(), policies, nodeId, clock, leaseDuration,
                s.pollInterval().toMillis(), s.workers(), handoff, claims, events::poke, observer);
        this.workers = new Workers(s.workers(), handoff, runner);
        this.direct = new DirectStart(handoff, claimer::drained, policies, leaseDuration, observer, events::poke);
        this.admission = new Admission(store, handlers, policies, s.queueCapacity(), nodeId, task -> {
            claims.wake();
            events.poke();
        }, observer, s.callbackCheck(), direct);
        this.maintenance = new Maintenance(store, scheduler, housekeeper, clock, nodeId, handlers.keySet(), startedAt,
                leaseDuration, s.retention(), s.retainAtMost(), s.purgeInterval(), s.maxAttempts(), running, outcomes,
                observer);
        this.cancels = new Cancels(store, clock, nodeId, running, waits, events, observer);
        this.healthCheck = new HealthCheck(store, clock, admission, running, s.workers(), s.queueCapacity(), nodeId,
                leaseDuration);
        this.typeCatalog = new TypeCatalog(store, nodeId, handlers.keySet(), policies);
        this.attemptHistory = new AttemptHistory(store, TaskService.MAX_ATTEMPTS_LISTED);
        this.resubmission = new Resubmission(store, request -> admission.submit(request, now()));
        this.finishCounts = new FinishCounts(store, clock, Duration.ofSeconds(1));
    }

    /**
     * What the completer and maintenance tell the rest of the engine after they wrote: an ended task
     * answers its waiters, a requeued one wakes the claimer at its run time, new events wake the
     * dispatcher.
     */
    private final class Outcomes implements Completer.After, Maintenance.Changed {
        @Override
        public void finished(Task task) {
            waits.finished(task);
        }

        @Override
        public void requeued(Task task) {
            wakeAt(task.runAt());
        }

        @Override
        public void wrote() {
            events.poke();
        }
    }

    /** Starts every unit's threads; called once, by the service's constructor. */
    void start() {
        // In the registry before listening: a node that says hello to the others (PostgreSQL) must be
        // found there by a node that reads the registry after the hello.
        maintenance.heartbeatOnce();
        store.listen(new RemoteEvents(store, claims::wake, events, running, notifier));
        completer.start();
        workers.start();
        claimer.start();
        maintenance.start();
    }

    /** Now, to the millisecond (as stored). */
    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** Whether a ready submission of a type without limits would be started at once now ({@link DirectStart}). */
    boolean startsAtOnce() {
        return claimer.drained() && handoff.wanted() > 0;
    }

    /** Whether {@link #shutdown(Duration)} has begun. */
    boolean isStopping() {
        return stopping;
    }

    private void wakeAt(Instant at) {
        long delay = at == null ? 0 : Duration.between(now(), at).toMillis();
        if (delay <= 0) {
            claims.wake();
            return;
        }
        try {
            scheduler.schedule(claims::wake, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException ignored) {
            // shutting down: nothing will claim it in this process
        }
    }

    private boolean progress(String id, int attempt, int percent) {
        boolean written = store.progress(id, attempt, percent, now(), nodeId);
        if (written) {
            events.poke();
        }
        return written;
    }

    /** A terminal event from the log: answers this node's waiters of that task (it may have ended elsewhere). */
    private void endedElsewhere(TaskEvent e) {
        if (!waits.isWaitedFor(e.taskId())) {
            return;
        }
        // The event carries a summary of the result; waiters get the task as stored, result included.
        store.find(e.taskId()).filter(Task::isTerminal).ifPresent(waits::completeNow);
    }

    /** The shutdown that {@link TaskService#shutdown(Duration)} describes, unit by unit. Idempotent. */
    void shutdown(Duration grace) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        admission.close();
        if (!direct.close(DIRECT_START_WAIT_MILLIS)) {
            LOG.log(Level.WARNING, "inserts of tasks to start at once still unfinished after {0} ms; such a task "
                    + "runs again when its lease expires", DIRECT_START_WAIT_MILLIS);
        }
        stopping = true;
        claimer.stop();
        if (!workers.stopAfter(grace)) {
            LOG.log(Level.INFO, "{0} tasks still running after the grace period; interrupting them", running.size());
            running.releaseAll("the service is shutting down");
        }
        workers.stop();
        for (ClaimedTask t : handoff.drain()) {
            completer.giveBack(t);
        }
        completer.stop();
        ExecutorStopper.stop(scheduler, "scheduler", Duration.ofSeconds(2));
        ExecutorStopper.stop(housekeeper, "housekeeper", Duration.ofSeconds(5));
        events.stop();
        ExecutorStopper.stop(notifier, "notifier", Duration.ofSeconds(2));
        // awaitTermination returns before the pools' last threads have quite ended: wait for them.
        for (NamedThreadFactory f : List.of(schedulerThreads, notifierThreads, housekeeperThreads)) {
            if (!f.join(Duration.ofSeconds(1))) {
                LOG.log(Level.WARNING, "some asyncreply threads are still alive after shutdown");
            }
        }
        waits.drain();
        try {
            store.forgetNode(nodeId);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "could not leave the node registry: {0}", e.getMessage());
        }
    }
}
