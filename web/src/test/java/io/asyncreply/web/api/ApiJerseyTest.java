package io.asyncreply.web.api;

import io.asyncreply.web.auth.AuthFilter;
import io.asyncreply.web.testing.TestApps;
import jakarta.servlet.Filter;
import org.glassfish.jersey.servlet.ServletContainer;
import org.glassfish.jersey.test.DeploymentContext;
import org.glassfish.jersey.test.JerseyTest;
import org.glassfish.jersey.test.ServletDeploymentContext;
import org.glassfish.jersey.test.TestProperties;
import org.glassfish.jersey.test.grizzly.GrizzlyWebTestContainerFactory;
import org.glassfish.jersey.test.spi.TestContainerFactory;
import org.junit.jupiter.api.AfterEach;

/**
 * The API's resources in Grizzly's servlet container on a free port, over an app of
 * {@link TestApps} that each test class starts its own way, behind the filter that makes the
 * caller ({@link AuthFilter} unless the class says otherwise). The app is closed after each test.
 */
abstract class ApiJerseyTest extends JerseyTest {
    /** The app under test; set when JerseyTest's constructor deploys (before the subclass's fields are set). */
    protected TestApps t;

    /** Starts the app under test. Called from JerseyTest's constructor: the subclass's fields are not set yet. */
    protected abstract TestApps startApp();

    /** The filter that makes each request's caller. */
    protected Class<? extends Filter> callerFilter() {
        return AuthFilter.class;
    }

    @Override
    protected TestContainerFactory getTestContainerFactory() {
        return new GrizzlyWebTestContainerFactory();
    }

    @Override
    protected DeploymentContext configureDeployment() {
        forceSet(TestProperties.CONTAINER_PORT, "0"); // any free port: other builds may hold Jersey's 9998
        t = startApp();
        return ServletDeploymentContext.forServlet(new ServletContainer(new ApiApplication(t.app)))
                .addFilter(callerFilter(), "caller").build();
    }

    @AfterEach
    @Override
    public void tearDown() throws Exception {
        try {
            super.tearDown();
        } finally {
            t.close();
        }
    }
}
