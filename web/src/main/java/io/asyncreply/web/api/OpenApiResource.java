package io.asyncreply.web.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 description of the API, one file
 * ({@code io/asyncreply/web/api/openapi.json} in the WAR's classes), read once at start.
 *
 * <p>To describe a new path: add it under {@code paths}, reusing {@code components} (schemas,
 * responses, parameters, headers, examples) and adding new ones there. The test run validates the
 * file (OpenApiDocumentTest) and checks the server's answers against it (ContractSuite).
 */
@Path("openapi.json")
public final class OpenApiResource {
    static final String RESOURCE = "/io/asyncreply/web/api/openapi.json";

    private final byte[] document;

    OpenApiResource() {
        try (InputStream in = OpenApiResource.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the WAR");
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    @Produces("application/json")
    public Response openApi() {
        return Response.ok(document, "application/json").build();
    }
}
