package io.asyncreply.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.it.AbandonedLongPolls;
import io.asyncreply.it.AbandonedLongPolls.Recovery;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link AbandonedLongPolls} in each real container, serving HTTP/1.1 and h2c on one port: closed
 * HTTP/1.1 connections free their places at the latest when their waits end; reset HTTP/2 streams
 * free them at once.
 */
@DisabledIfSystemProperty(named = "asyncreply.containers.skip", matches = "true")
@Timeout(240)
class AbandonedLongPollsContainerIT {

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void heldLongPollsAreFreedAtOnceWhenTheContainerReportsTheClientGoneAndOtherwiseWhenTheirWaitEnds(
            ContainerKind kind) throws Exception {
        ContainerOptions options = ContainerOptions.forWar(Containers.war()).http2c();
        AbandonedLongPolls.settings().forEach(options::systemProperty);
        try (ServletContainer container = kind.create(options)) {
            container.start();

            Recovery closed = AbandonedLongPolls.closingHttp1Connections(container.baseUrl());
            Recovery reset = AbandonedLongPolls.resettingHttp2Streams(container.baseUrl());

            System.out.printf("[%s] held long-polls freed %s after their HTTP/1.1 clients closed (before their waits "
                    + "ended: %s), %s after their HTTP/2 streams were reset%n", kind, closed.afterGivingUp(),
                    closed.beforeTheWaitsEnded(), reset.afterGivingUp());
            assertThat(closed.freed()).as("HTTP/1.1: freed at the latest when the waits ended").isTrue();
            assertThat(reset.beforeTheWaitsEnded()).as("HTTP/2: freed before the waits ended: %s", reset).isTrue();
            container.stop();
            assertThat(container.containerLog().problems()).as("problem lines in %s", container.log()).isEmpty();
        }
    }
}
