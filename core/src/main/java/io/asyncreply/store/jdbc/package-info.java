/**
 * API: {@link io.asyncreply.store.jdbc.JdbcTaskStore}, the durable store over a
 * {@code javax.sql.DataSource} you provide (H2, PostgreSQL 13 or later); it creates and upgrades
 * its own tables.
 */
package io.asyncreply.store.jdbc;
