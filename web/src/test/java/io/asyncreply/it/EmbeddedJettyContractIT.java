package io.asyncreply.it;

import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The contract against the built WAR in embedded Jetty 12 (2 workers, queue of 64, the H2 store;
 * {@code -Dcontract.store=memory} for the memory store).
 */
@DisabledIfSystemProperty(named = "contract.baseUrl", matches = ".+",
        disabledReason = "contract.baseUrl is set: ExternalContractIT runs the suite there instead")
class EmbeddedJettyContractIT extends ContractSuite {
    private final EmbeddedWar server = new EmbeddedWar();
    private URI base;

    @BeforeAll
    void deploy() throws Exception {
        base = server.start(EmbeddedWar.testSettings());
    }

    @AfterAll
    void undeploy() throws Exception {
        server.close();
    }

    @Override
    protected URI baseUrl() {
        return base;
    }
}
