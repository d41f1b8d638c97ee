package io.asyncreply.it.container;

import java.nio.file.Path;

/** The three real containers the WAR is proven on; homes come from failsafe system properties. */
public enum ContainerKind {
    TOMCAT_10("asyncreply.tomcat10.home"),
    TOMCAT_11("asyncreply.tomcat11.home"),
    JETTY_12("asyncreply.jetty.home");

    private final String homeProperty;

    ContainerKind(String homeProperty) {
        this.homeProperty = homeProperty;
    }

    public String homeProperty() {
        return homeProperty;
    }

    /** CATALINA_HOME or JETTY_HOME of the unpacked distribution. */
    public Path home() {
        return Containers.existing(homeProperty, true);
    }

    public boolean isTomcat() {
        return this != JETTY_12;
    }

    /** A new instance (fresh base directory, free port), not started yet. */
    public ServletContainer create(ContainerOptions options) {
        return isTomcat() ? TomcatContainer.create(home(), options) : JettyContainer.create(home(), options);
    }
}
