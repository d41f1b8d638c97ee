/**
 * API: {@link io.asyncreply.engine.TaskService}, the engine: submit, find, wait for, cancel and
 * list tasks, run them on a bounded pool of named worker threads, retry and recover them. Build
 * one with {@link io.asyncreply.engine.TaskService#builder()}; only {@code TaskService} and its
 * builder are public, the units behind it are not.
 */
package io.asyncreply.engine;
