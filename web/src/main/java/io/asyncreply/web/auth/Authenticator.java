package io.asyncreply.web.auth;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * One way of telling who sends a request ({@code asyncreply.auth}): {@link ApiKeyAuthenticator}
 * or {@link ContainerAuthenticator}. Used by {@link AuthFilter} only.
 */
interface Authenticator {

    /** What the credentials a request carries say. */
    sealed interface Found {
    }

    /** Valid credentials of {@code caller}. */
    record Known(Caller caller) implements Found {
    }

    /** No credentials (of this kind). */
    record Missing() implements Found {
    }

    /** Credentials that are wrong: an unknown key, or a name the store cannot hold as an owner. */
    record Invalid(String detail) implements Found {
    }

    /** What the request's credentials say, without answering anything. */
    Found identify(HttpServletRequest request);

    /**
     * Asks for credentials on a request that needs them and has none that are valid: either answers
     * it (401 with {@code WWW-Authenticate}, the container's challenge, or a redirect to its login
     * page) and returns null, or learns who it is (a container that authenticates on demand) and
     * returns the caller.
     */
    Caller challenge(HttpServletRequest request, HttpServletResponse response, Found found)
            throws IOException, ServletException;
}
