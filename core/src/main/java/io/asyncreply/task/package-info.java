/**
 * API: the task model and the handler SPI. A {@link io.asyncreply.task.TaskHandler} does the work
 * of one task type: it may refuse a payload before it is queued ({@link
 * io.asyncreply.task.TaskHandler#validate(byte[])} throwing {@link
 * io.asyncreply.task.InvalidPayloadException}, or {@link io.asyncreply.task.InputFormat#JSON}),
 * runs each attempt with a {@link io.asyncreply.task.TaskContext}, and returns a {@link
 * io.asyncreply.task.TaskResult} ({@link io.asyncreply.task.TaskResult#json(String)},
 * {@link io.asyncreply.task.TaskResult#of(byte[], String)}). {@link io.asyncreply.task.Task} is a
 * task as stored; {@link io.asyncreply.task.Transitions} is its state machine. This package
 * depends on no other package of asyncreply.
 */
package io.asyncreply.task;
