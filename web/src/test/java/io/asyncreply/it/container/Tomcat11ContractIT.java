package io.asyncreply.it.container;

import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The contract suite against a standalone Apache Tomcat 11 with PostgreSQL through JNDI:
 * docs/examples/tomcat/global-resource.xml in {@code conf/server.xml} and context.xml.default in
 * {@code conf/Catalina/localhost/}, the driver in {@code $CATALINA_BASE/lib}, a fresh schema. Skipped without PostgreSQL unless CI=true.
 */
@DisabledIfSystemProperty(named = "asyncreply.containers.skip", matches = "true")
class Tomcat11ContractIT extends RealContainerContract {

    @Override
    protected ContainerKind kind() {
        return ContainerKind.TOMCAT_11;
    }

    @Override
    protected Deployment.Store store() {
        return Deployment.Store.POSTGRES_JNDI;
    }
}
