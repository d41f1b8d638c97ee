package io.asyncreply.it.container;

import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The contract suite against a standalone Apache Tomcat 10.1 with the default store: the embedded
 * H2 file in the instance's base ({@code asyncreply.h2.dir}).
 */
@DisabledIfSystemProperty(named = "asyncreply.containers.skip", matches = "true")
class Tomcat10ContractIT extends RealContainerContract {

    @Override
    protected ContainerKind kind() {
        return ContainerKind.TOMCAT_10;
    }

    @Override
    protected Deployment.Store store() {
        return Deployment.Store.H2;
    }
}
