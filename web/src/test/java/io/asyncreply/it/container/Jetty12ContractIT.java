package io.asyncreply.it.container;

import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The contract suite against a standalone Jetty 12 (ee10) with PostgreSQL through JNDI:
 * docs/examples/jetty/ee10-asyncreply-jndi.xml in {@code $JETTY_BASE/environments}, the driver in
 * {@code $JETTY_BASE/lib/ext}, a fresh schema. Skipped without PostgreSQL unless CI=true.
 */
@DisabledIfSystemProperty(named = "asyncreply.containers.skip", matches = "true")
class Jetty12ContractIT extends RealContainerContract {

    @Override
    protected ContainerKind kind() {
        return ContainerKind.JETTY_12;
    }

    @Override
    protected Deployment.Store store() {
        return Deployment.Store.POSTGRES_JNDI;
    }
}
