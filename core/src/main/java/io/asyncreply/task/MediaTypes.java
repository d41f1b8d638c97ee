package io.asyncreply.task;

import java.util.Locale;

/** Media-type checks shared by core; deliberately tiny, not a parser. */
final class MediaTypes {
    private MediaTypes() {
    }

    /** {@code application/json} or {@code application/*+json}, parameters and case ignored. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String essence = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return essence.equals("application/json")
                || (essence.startsWith("application/") && essence.endsWith("+json"));
    }
}
