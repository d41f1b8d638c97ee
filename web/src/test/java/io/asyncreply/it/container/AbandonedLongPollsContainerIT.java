package io.asyncreply.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.it.AbandonedLongPolls;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link AbandonedLongPolls} in each real container. */
@DisabledIfSystemProperty(named = "asyncreply.containers.skip", matches = "true")
@Timeout(180)
class AbandonedLongPollsContainerIT {

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void heldLongPollsOfClosedConnectionsAreFreedAtTheLatestWhenTheirWaitEnds(ContainerKind kind) throws Exception {
        ContainerOptions options = ContainerOptions.forWar(Containers.war());
        AbandonedLongPolls.settings().forEach(options::systemProperty);
        try (ServletContainer container = kind.create(options)) {
            container.start();

            Duration recovery = AbandonedLongPolls.abandonAndTimeTheRecovery(container.baseUrl(),
                    Duration.ofSeconds(30));

            System.out.printf("[%s] held long-polls freed %d ms after their clients closed%n", kind,
                    recovery.toMillis());
            assertThat(recovery).isLessThan(AbandonedLongPolls.WAIT_CAP.plusSeconds(10));
            container.stop();
            assertThat(container.containerLog().problems()).as("problem lines in %s", container.log()).isEmpty();
        }
    }
}
