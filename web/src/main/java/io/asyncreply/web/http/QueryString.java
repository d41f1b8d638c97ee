package io.asyncreply.web.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of a raw query string ({@code a=1&b=x%20y}), decoded as UTF-8 with {@code +} as a
 * blank. For the intake, which must not call {@code getParameter}: on a POST with
 * {@code Content-Type: application/x-www-form-urlencoded} that reads the body (blocking) as form
 * parameters, and the body is the task's payload.
 */
public final class QueryString {
    private QueryString() {
    }

    /**
     * Every parameter with its values in order; empty for a null or empty query.
     *
     * @throws IllegalArgumentException for a malformed percent-escape
     */
    public static Map<String, List<String>> parse(String rawQuery) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
        }
        return out;
    }
}
