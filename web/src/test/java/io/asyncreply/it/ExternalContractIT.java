package io.asyncreply.it;

import java.net.URI;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The contract against a server someone else started: {@code -Dcontract.baseUrl=http://127.0.0.1:8080/}.
 * Skipped when the property is not set. The server should be idle and dedicated to the run, and
 * have a queue capacity small enough to fill (see {@link ContractSuite#maxQueueToFill()}).
 */
@EnabledIfSystemProperty(named = "contract.baseUrl", matches = ".+")
class ExternalContractIT extends ContractSuite {
    @Override
    protected URI baseUrl() {
        return URI.create(System.getProperty("contract.baseUrl").trim());
    }
}
