package io.asyncreply.web.auth;

import io.asyncreply.web.http.Responses;
import io.asyncreply.web.json.Problem;

/** The answers of authentication: who you are is unknown (401), or you may not (403). */
public final class AuthProblems {
    private AuthProblems() {
    }

    /** 401 {@code unauthorized}; the caller sets {@code WWW-Authenticate}. */
    static Responses.Answer unauthorized(String detail) {
        return Responses.problem(new Problem(401, "unauthorized", "Unauthorized", detail), false, -1);
    }

    /** 403 {@code forbidden}. */
    public static Responses.Answer forbidden(String detail) {
        return Responses.problem(Problem.forbidden(detail), false, -1);
    }

    /** The container cannot authenticate: a deployment error, logged where it was found. */
    static Responses.Answer notConfigured() {
        return Responses.problem(new Problem(500, "internal", "Internal Server Error",
                "The server cannot authenticate requests: its authentication is not configured."), false, -1);
    }
}
