package io.asyncreply.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.it.ContractSuite;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The one end-to-end {@link ContractSuite} against the built WAR in a real standalone container:
 * one instance per class, started in {@code @BeforeAll} with the embedded run's settings
 * ({@link Deployment#contractSettings()}), stopped in {@code @AfterAll}, after which its whole log
 * (start, every test, stop) must hold no problem line ({@link ContainerLog#PROBLEMS}).
 */
abstract class RealContainerContract extends ContractSuite {

    private Deployment deployment;

    protected abstract ContainerKind kind();

    protected abstract Deployment.Store store();

    @BeforeAll
    void startTheContainer() {
        deployment = Deployment.create(kind(), store(), Deployment.contractSettings());
        deployment.start();
        System.out.printf("[%s] contract suite against %s%n", deployment.container(), deployment);
    }

    @AfterAll
    void stopTheContainerAndFindNoProblemInItsLog() {
        if (deployment == null) {
            return;
        }
        try {
            ServletContainer container = deployment.container();
            container.stop();
            assertThat(container.containerLog().problems())
                    .as("problem lines in %s after the contract suite and a graceful stop", container.log())
                    .isEmpty();
        } finally {
            deployment.close();
        }
    }

    @Override
    protected URI baseUrl() {
        return deployment.container().baseUrl();
    }
}
