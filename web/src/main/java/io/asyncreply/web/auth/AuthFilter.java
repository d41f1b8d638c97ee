package io.asyncreply.web.auth;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;

/**
 * Decides who sends each request, in front of every entry path, and stores the answer as the
 * request's {@link Caller}. With {@code asyncreply.auth=none} (the default) every request is
 * {@link Caller#ANONYMOUS}.
 */
public final class AuthFilter implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        request.setAttribute(Caller.ATTRIBUTE, Caller.ANONYMOUS);
        chain.doFilter(request, response);
    }
}
