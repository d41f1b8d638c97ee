package io.asyncreply.web.auth;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;

/**
 * {@code asyncreply.auth=apikey}: {@code Authorization: Bearer KEY}, the key looked up in
 * {@link ApiKeys}. No credentials, or credentials of another scheme: 401 with
 * {@code WWW-Authenticate: Bearer realm="..."}; an unknown key: the same with
 * {@code error="invalid_token"} (RFC 6750). The key is never logged, echoed or kept.
 */
final class ApiKeyAuthenticator implements Authenticator {
    private static final String BEARER = "bearer ";

    private final ApiKeys keys;
    private final String realm;

    ApiKeyAuthenticator(ApiKeys keys, String realm) {
        this.keys = keys;
        this.realm = realm;
    }

    @Override
    public Found identify(HttpServletRequest request) {
        String h = request.getHeader("Authorization");
        if (h == null) {
            return new Missing();
        }
        h = h.strip();
        if (h.length() < BEARER.length() || !h.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return h.equalsIgnoreCase("bearer") ? new Invalid("The Bearer credentials are empty.") : new Missing();
        }
        String key = h.substring(BEARER.length()).strip();
        return keys.ring().caller(key).<Found>map(Known::new)
                .orElseGet(() -> new Invalid("The API key is not valid."));
    }

    @Override
    public Caller challenge(HttpServletRequest request, HttpServletResponse response, Found found) throws IOException {
        boolean invalid = found instanceof Invalid;
        response.setHeader("WWW-Authenticate", "Bearer realm=\"" + realm + "\""
                + (invalid ? ", error=\"invalid_token\"" : ""));
        AuthProblems.unauthorized(invalid ? ((Invalid) found).detail()
                : "This request needs an API key: Authorization: Bearer <key>.").writeTo(response);
        return null;
    }
}
