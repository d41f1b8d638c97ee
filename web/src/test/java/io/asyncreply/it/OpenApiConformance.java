package io.asyncreply.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks HTTP answers against an OpenAPI 3.1 document: that the status is one the operation
 * documents, that the media type is one it documents for that status, and that a JSON body is valid
 * against the documented schema (with an independent JSON Schema validator, networknt, in the
 * OpenAPI 3.1 dialect). Answers to paths or methods the document does not have (404s of unknown
 * paths, 405s) are not checked: no document can describe them.
 */
public final class OpenApiConformance {
    private static final String DOCUMENT_IRI = "https://asyncreply.invalid/openapi.json";

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
    private final List<Template> templates = new ArrayList<>();

    private record Template(String path, Pattern pattern, int literals) {
    }

    public OpenApiConformance(byte[] document) {
        try {
            this.document = Api.JSON.readTree(document);
        } catch (IOException e) {
            throw new UncheckedIOException("the OpenAPI document is not JSON", e);
        }
        String text = new String(document, StandardCharsets.UTF_8);
        this.registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
                b -> b.schemas(Map.of(DOCUMENT_IRI, text)));
        for (Iterator<String> it = this.document.path("paths").fieldNames(); it.hasNext();) {
            String path = it.next();
            String regex = "\\Q" + path.replaceAll("\\{[^/}]+}", "\\\\E[^/]+\\\\Q") + "\\E";
            templates.add(new Template(path, Pattern.compile(regex), path.replaceAll("\\{[^/}]+}", "").length()));
        }
        templates.sort((a, b) -> Integer.compare(b.literals, a.literals)); // the most specific first
    }

    public JsonNode document() {
        return document;
    }

    /** The path template of the document matching {@code path} (from the server's root), or null. */
    public String template(String path) {
        for (Template t : templates) {
            if (t.pattern.matcher(path).matches()) {
                return t.path;
            }
        }
        return null;
    }

    /**
     * What is wrong with an answer, empty when nothing is.
     *
     * @param path the request's raw path from the application's root ("/tasks/abc")
     * @param mediaType the answer's media type without parameters, lower case, "" when none
     */
    public List<String> check(String method, String path, int status, String mediaType, byte[] body) {
        List<String> problems = new ArrayList<>();
        String template = template(path);
        if (template == null) {
            return problems;
        }
        JsonNode operation = document.path("paths").path(template).path(method.toLowerCase(Locale.ROOT));
        if (operation.isMissingNode()) {
            return problems;
        }
        String where = method + " " + path + " (" + template + ") -> " + status;
        JsonNode response = resolve(operation.path("responses").path(Integer.toString(status)));
        if (response.isMissingNode()) {
            problems.add(where + ": status not documented");
            return problems;
        }
        JsonNode content = response.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            return problems;
        }
        JsonNode media = content.path(mediaType);
        boolean exact = !media.isMissingNode();
        if (!exact) {
            media = content.path("*/*"); // raw bytes of any type: nothing to validate
        }
        if (media.isMissingNode()) {
            problems.add(where + ": media type '" + mediaType + "' not documented (" + content.properties().stream()
                    .map(Map.Entry::getKey).toList() + ")");
            return problems;
        }
        if (exact && (mediaType.equals("application/json") || mediaType.endsWith("+json"))) {
            for (String error : validate(media.path("schema"), new String(body, StandardCharsets.UTF_8))) {
                problems.add(where + ": " + error);
            }
        }
        return problems;
    }

    /** Validation errors of {@code json} against {@code schema} ({@code $ref} into the document, or inline). */
    public List<String> validate(JsonNode schema, String json) {
        String pointer = schema.path("$ref").asText(null);
        Schema s;
        if (pointer != null && pointer.startsWith("#/")) {
            s = schemas.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(DOCUMENT_IRI + p)));
        } else {
            s = registry.getSchema(SchemaLocation.of(DOCUMENT_IRI), schema.toString(), InputFormat.JSON);
        }
        List<String> out = new ArrayList<>();
        for (Error e : s.validate(json, InputFormat.JSON)) {
            out.add(e.toString());
        }
        return out;
    }

    /** {@code node}, or what its {@code $ref} points to in the document. */
    public JsonNode resolve(JsonNode node) {
        String ref = node.path("$ref").asText(null);
        return ref != null && ref.startsWith("#/") ? document.at(ref.substring(1)) : node;
    }

    /** The path of {@code uri} from the application's root {@code base}. */
    public static String pathFrom(URI base, URI uri) {
        String root = base.getRawPath().endsWith("/") ? base.getRawPath().substring(0, base.getRawPath().length() - 1)
                : base.getRawPath();
        String p = uri.getRawPath();
        return p.startsWith(root) ? p.substring(root.length()) : p;
    }
}
