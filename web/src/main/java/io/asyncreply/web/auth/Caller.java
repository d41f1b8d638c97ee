package io.asyncreply.web.auth;

import jakarta.servlet.ServletRequest;
import java.util.Objects;
import java.util.Optional;

/**
 * Who sent a request, as the authentication filter decided it: the owner its tasks belong to and
 * what it may do. Every entry path (the intake filter, the Jersey resources, event streams,
 * webhooks, metrics, the dashboard) asks this one object, so the rules live in one place.
 *
 * <p>Roles: an {@linkplain Role#ADMIN admin} sees and acts on every owner's tasks and the admin API;
 * a {@linkplain Role#VIEWER viewer} sees every owner's tasks (dashboard, metrics) but acts on none;
 * a {@linkplain Role#USER user} sees and acts on its own tasks only. With {@code asyncreply.auth=none}
 * every request is {@link #ANONYMOUS}: the one anonymous owner, allowed everything, as in version 1.
 *
 * <p>Hazard: a request that reaches the application without the filter having run (a descriptor
 * that lost its mapping) must not be let in as the anonymous admin; {@link #of} refuses it.
 *
 * @param owner the owner the caller's tasks belong to; {@code null} for the anonymous owner
 * @param role what the caller may do
 * @param authenticated whether credentials were checked (false only with {@code asyncreply.auth=none})
 */
public record Caller(String owner, Role role, boolean authenticated) {
    /** The request attribute the authentication filter stores the caller under. */
    public static final String ATTRIBUTE = Caller.class.getName();

    /** Everyone when authentication is off: one anonymous owner, allowed everything. */
    public static final Caller ANONYMOUS = new Caller(null, Role.ADMIN, false);

    /** What a caller may do. */
    public enum Role {
        /** Every owner's tasks, every action, the admin API. */
        ADMIN,
        /** Every owner's tasks, read only. */
        VIEWER,
        /** Its own tasks only. */
        USER
    }

    public Caller {
        Objects.requireNonNull(role, "role");
        if (authenticated && (owner == null || owner.isEmpty())) {
            throw new IllegalArgumentException("an authenticated caller has an owner");
        }
    }

    /** An authenticated caller. */
    public static Caller of(String owner, Role role) {
        return new Caller(owner, role, true);
    }

    /**
     * The caller of {@code request}, as the authentication filter stored it.
     *
     * @throws IllegalStateException when no filter decided (a deployment error, never a client's)
     */
    public static Caller of(ServletRequest request) {
        Object c = request.getAttribute(ATTRIBUTE);
        if (c instanceof Caller caller) {
            return caller;
        }
        throw new IllegalStateException("no caller on this request: the authentication filter is not mapped to it");
    }

    /**
     * The caller of {@code request}, or empty when there is none: a request on a public path (see
     * {@code asyncreply.auth.public}) that carried no credentials, or one the filter never saw. For
     * paths that answer everyone; everywhere else use {@link #of(ServletRequest)}, which fails closed.
     */
    public static Optional<Caller> find(ServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof Caller caller ? Optional.of(caller) : Optional.empty();
    }

    /** The owner filter for reads: {@code null} (every owner) for admins and viewers, else the caller's owner. */
    public String readScope() {
        return role == Role.USER ? owner : null;
    }

    /**
     * The owner filter for actions on existing tasks (cancel, retry): {@code null} (every owner) for
     * admins, else the caller's owner. Viewers may not act at all: see {@link #mayAct()}.
     */
    public String actScope() {
        return role == Role.ADMIN ? null : owner;
    }

    /** Whether the caller may submit, cancel or retry (its own tasks, or any for admins). */
    public boolean mayAct() {
        return role != Role.VIEWER;
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** Whether the caller may see operators' pages and figures: the dashboard, metrics, every owner's tasks. */
    public boolean isOperator() {
        return role == Role.ADMIN || role == Role.VIEWER;
    }
}
