package io.asyncreply.it.dashboard;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.lang.reflect.Method;

/**
 * Plays authentication for the dashboard tests, until the WAR's own (asyncreply.auth) is built: put
 * right after the application's "auth" filter ({@link io.asyncreply.it.EmbeddedWar#insertFilterAfter}),
 * it replaces the anonymous caller with the one a cookie names, {@code test-caller=ROLE.owner}
 * ({@code VIEWER.vera}, {@code USER.ursula}, {@code ADMIN.ada}); without the cookie the request
 * keeps the caller the application decided. The caller is made with the application's own
 * {@code Caller} class, reached through its class loader.
 */
final class TestCallers implements Filter {
    static final String COOKIE = "test-caller";

    private final String attribute;
    private final Method of;
    private final Class<? extends Enum> roles;

    @SuppressWarnings({"unchecked", "rawtypes"})
    TestCallers(ClassLoader app) throws ReflectiveOperationException {
        Class<?> caller = app.loadClass("io.asyncreply.web.auth.Caller");
        this.roles = (Class<? extends Enum>) app.loadClass("io.asyncreply.web.auth.Caller$Role");
        this.of = caller.getMethod("of", String.class, roles);
        this.attribute = (String) caller.getField("ATTRIBUTE").get(null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Cookie[] cookies = ((HttpServletRequest) request).getCookies();
        for (Cookie c : cookies == null ? new Cookie[0] : cookies) {
            if (COOKIE.equals(c.getName())) {
                String[] parts = c.getValue().split("\\.", 2);
                try {
                    request.setAttribute(attribute, of.invoke(null, parts[1], Enum.valueOf(roles, parts[0])));
                } catch (ReflectiveOperationException e) {
                    throw new ServletException(e);
                }
            }
        }
        chain.doFilter(request, response);
    }
}
