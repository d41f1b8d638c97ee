/**
 * API: the built-in task types {@code echo}, {@code sleep} and {@code sha256}, all returned by
 * {@link io.asyncreply.handlers.Builtins#all()}.
 */
package io.asyncreply.handlers;
