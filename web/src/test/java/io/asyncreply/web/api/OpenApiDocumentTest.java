package io.asyncreply.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncreply.it.OpenApiConformance;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI description served at {@code /openapi.json}: valid OpenAPI 3.1 to an independent
 * parser (swagger-parser), describing exactly the paths and methods the server has, with examples
 * that are valid against their own schemas.
 */
class OpenApiDocumentTest {
    private static byte[] bytes;
    private static OpenApiConformance doc;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream(OpenApiResource.RESOURCE)) {
            assertThat(in).as(OpenApiResource.RESOURCE).isNotNull();
            bytes = in.readAllBytes();
        }
        doc = new OpenApiConformance(bytes);
    }

    @Test
    void isValidOpenApi31ToSwaggerParser() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(new String(bytes, StandardCharsets.UTF_8), null,
                options);

        assertThat(result.getMessages()).isEmpty();
        assertThat(result.getOpenAPI()).isNotNull();
        assertThat(result.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
        assertThat(result.getOpenAPI().getPaths()).isNotEmpty();
    }

    @Test
    void describesEveryPathAndMethodTheServerHasAndNoOther() {
        Set<String> served = new TreeSet<>();
        served.add("POST /tasks/{}"); // the intake, in front of Jersey
        served.add("GET /tasks/{}/events"); // the event streams, in front of Jersey
        served.add("GET /events");
        for (Class<?> c : List.of(TaskResource.class, HealthResource.class, MetricsResource.class, OpenApiResource.class,
                TypesResource.class, RetryResource.class, AttemptsResource.class, BulkCancelResource.class,
                WebhooksResource.class)) {
            Resource r = Resource.from(c);
            for (ResourceMethod m : r.getResourceMethods()) {
                served.add(m.getHttpMethod() + " " + normalize(r.getPath()));
            }
            for (Resource child : r.getChildResources()) {
                for (ResourceMethod m : child.getResourceMethods()) {
                    served.add(m.getHttpMethod() + " " + normalize(r.getPath() + "/" + child.getPath()));
                }
            }
        }
        Set<String> described = new TreeSet<>();
        for (Map.Entry<String, JsonNode> path : doc.document().path("paths").properties()) {
            for (Iterator<String> it = path.getValue().fieldNames(); it.hasNext();) {
                String method = it.next();
                if (!method.equals("parameters") && !method.equals("summary") && !method.equals("description")) {
                    described.add(method.toUpperCase(Locale.ROOT) + " " + normalize(path.getKey()));
                }
            }
        }

        assertThat(described).isEqualTo(served);
    }

    @Test
    void everyOperationHasAnIdAndEveryResponseADescription() {
        for (Map.Entry<String, JsonNode> path : doc.document().path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                assertThat(op.getValue().path("operationId").asText()).as("%s %s", op.getKey(), path.getKey())
                        .isNotBlank();
                for (Map.Entry<String, JsonNode> res : op.getValue().path("responses").properties()) {
                    assertThat(doc.resolve(res.getValue()).path("description").asText())
                            .as("%s %s %s", op.getKey(), path.getKey(), res.getKey()).isNotBlank();
                }
            }
        }
    }

    @Test
    void everyJsonExampleIsValidAgainstItsSchemaAndEveryJsonResponseHasOne() {
        List<String> errors = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, JsonNode> path : doc.document().path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                for (Map.Entry<String, JsonNode> res : op.getValue().path("responses").properties()) {
                    for (Map.Entry<String, JsonNode> media : doc.resolve(res.getValue()).path("content").properties()) {
                        String where = op.getKey() + " " + path.getKey() + " " + res.getKey() + " " + media.getKey();
                        if (!media.getKey().endsWith("json") || path.getKey().equals("/openapi.json")) {
                            continue;
                        }
                        JsonNode examples = media.getValue().path("examples");
                        assertThat(examples.isEmpty()).as("examples of %s", where).isFalse();
                        for (Map.Entry<String, JsonNode> ex : examples.properties()) {
                            JsonNode value = doc.resolve(ex.getValue()).path("value");
                            assertThat(value.isMissingNode()).as("value of example %s of %s", ex.getKey(), where)
                                    .isFalse();
                            for (String e : doc.validate(media.getValue().path("schema"), value.toString())) {
                                errors.add(where + " example " + ex.getKey() + ": " + e);
                            }
                            checked++;
                        }
                    }
                }
            }
        }
        assertThat(errors).isEmpty();
        assertThat(checked).isGreaterThan(20);
    }

    @Test
    void aDocumentedSchemaRefusesWhatItShould() {
        JsonNode task = doc.document().at("/components/schemas/Task");
        assertThat(task.isMissingNode()).isFalse();
        JsonNode ref = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("$ref", "#/components/schemas/Task");

        assertThat(doc.validate(ref, "{\"id\":\"P7HC-dAWw1eRRVpenmAJVC933Fqelf\",\"type\":\"echo\",\"status\":\"DONE\","
                + "\"url\":\"/tasks/x\",\"submittedAt\":\"2026-11-25T10:15:30.123Z\",\"attempts\":0}")).isNotEmpty();
        assertThat(doc.validate(ref, "{\"id\":\"P7HC-dAWw1eRRVpenmAJVC933Fqelf\",\"type\":\"echo\",\"status\":\"QUEUED\","
                + "\"url\":\"/tasks/x\",\"submittedAt\":\"2026-11-25T10:15:30.123Z\",\"attempts\":0}")).isEmpty();
        assertThat(doc.validate(ref, "{\"id\":\"P7HC-dAWw1eRRVpenmAJVC933Fqelf\",\"type\":\"echo\",\"status\":\"QUEUED\","
                + "\"url\":\"/tasks/x\",\"submittedAt\":\"2026-11-25T10:15:30.123Z\",\"attempts\":0,\"surprise\":1}"))
                .as("an undocumented member").isNotEmpty();
    }

    /** A path with every template parameter as {}: {@code tasks/{id}/result -> /tasks/{}/result}. */
    private static String normalize(String path) {
        String p = path.replaceAll("\\{[^/}]+}", "{}").replaceAll("/+", "/");
        p = p.startsWith("/") ? p : "/" + p;
        return p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p;
    }
}
