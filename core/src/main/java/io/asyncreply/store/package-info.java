/**
 * API: where tasks are kept. {@link io.asyncreply.store.TaskStore} is the SPI the engine uses;
 * {@link io.asyncreply.store.MemoryTaskStore} keeps tasks in memory (lost with the process). The
 * other public types are the SPI's requests and results, for those who write a store.
 */
package io.asyncreply.store;
