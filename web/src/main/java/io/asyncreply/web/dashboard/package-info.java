/**
 * The dashboard at {@code /dashboard/}: its pages ({@link io.asyncreply.web.dashboard.DashboardFiles}),
 * the guard in front of them and of their API ({@link io.asyncreply.web.dashboard.DashboardFilter}:
 * operators only, security headers, no cross-site actions), and the small JSON API the pages use,
 * {@code /dashboard/api/...}, one resource per job, each calling the core
 * {@link io.asyncreply.engine.TaskService} directly. docs/dashboard.md describes all of it.
 */
package io.asyncreply.web.dashboard;
