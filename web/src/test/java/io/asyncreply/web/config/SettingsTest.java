package io.asyncreply.web.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    private static final String NAME = "asyncreply.queue.capacity";

    private final Map<String, String> context = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();
    private final Map<String, String> sysprops = new HashMap<>();
    private final Settings settings = new Settings(context::get, env, sysprops::get);

    @Test
    void systemPropertyBeatsEnvironmentWhichBeatsContextParamWhichBeatsDefault() {
        assertThat(settings.longValue(NAME, 1, 0, 100)).isEqualTo(1);
        context.put(NAME, "2");
        assertThat(settings.longValue(NAME, 1, 0, 100)).isEqualTo(2);
        env.put("ASYNCREPLY_QUEUE_CAPACITY", "3");
        assertThat(settings.longValue(NAME, 1, 0, 100)).isEqualTo(3);
        sysprops.put(NAME, "4");
        assertThat(settings.longValue(NAME, 1, 0, 100)).isEqualTo(4);
    }

    @Test
    void blankValuesCountAsNotSet() {
        context.put(NAME, "2");
        env.put("ASYNCREPLY_QUEUE_CAPACITY", "  ");
        sysprops.put(NAME, "");
        assertThat(settings.longValue(NAME, 1, 0, 100)).isEqualTo(2);
        assertThat(settings.raw("asyncreply.nothing")).isNull();
    }

    @Test
    void valuesAreTrimmed() {
        context.put(NAME, "  7 ");
        assertThat(settings.longValue(NAME, 1, 0, 100)).isEqualTo(7);
    }

    @Test
    void environmentNameIsUpperCaseWithDotsAndDashesAsUnderscores() {
        assertThat(Settings.envName("asyncreply.body.max-bytes")).isEqualTo("ASYNCREPLY_BODY_MAX_BYTES");
        env.put("ASYNCREPLY_BODY_MAX_BYTES", "10");
        assertThat(settings.longValue("asyncreply.body.max-bytes", 0, 0, 100)).isEqualTo(10);
    }

    @Test
    void ofReadsTheRealSystemProperties() {
        String name = "asyncreply.test.settings-" + System.nanoTime();
        System.setProperty(name, "from-sysprop");
        try {
            assertThat(Settings.of(n -> "from-context").string(name, "default")).isEqualTo("from-sysprop");
        } finally {
            System.clearProperty(name);
        }
        assertThat(Settings.of(n -> "from-context").string(name, "default")).isEqualTo("from-context");
        assertThat(Settings.of(n -> null).string(name, "default")).isEqualTo("default");
    }

    @Test
    void numbersMayHaveUnderscores() {
        context.put(NAME, "10_000");
        assertThat(settings.longValue(NAME, 1, 0, 100_000)).isEqualTo(10_000);
    }

    @Test
    void malformedNumberIsAnErrorNamingTheSettingAndItsEnvironmentVariable() {
        env.put("ASYNCREPLY_QUEUE_CAPACITY", "lots");
        assertThatThrownBy(() -> settings.longValue(NAME, 1, 0, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(NAME).hasMessageContaining("ASYNCREPLY_QUEUE_CAPACITY")
                .hasMessageContaining("'lots'");
    }

    @Test
    void numberOutOfRangeIsAnErrorNamingTheSettingAndTheRange() {
        context.put("asyncreply.workers", "0");
        assertThatThrownBy(() -> settings.integer("asyncreply.workers", 2, 1, 1024))
                .hasMessageContaining("asyncreply.workers").hasMessageContaining("1 to 1024");
        context.put("asyncreply.workers", "99999999999");
        assertThatThrownBy(() -> settings.integer("asyncreply.workers", 2, 1, 1024))
                .hasMessageContaining("asyncreply.workers");
    }

    @Test
    void booleansAcceptCommonSpellingsAndRefuseOthers() {
        for (String yes : new String[] {"true", "YES", "on", "1"}) {
            context.put("asyncreply.builtins", yes);
            assertThat(settings.bool("asyncreply.builtins", false)).as(yes).isTrue();
        }
        for (String no : new String[] {"false", "No", "off", "0"}) {
            context.put("asyncreply.builtins", no);
            assertThat(settings.bool("asyncreply.builtins", true)).as(no).isFalse();
        }
        context.put("asyncreply.builtins", "maybe");
        assertThatThrownBy(() -> settings.bool("asyncreply.builtins", true))
                .hasMessageContaining("asyncreply.builtins").hasMessageContaining("'maybe'");
    }

    @Test
    void durationsTakeAUnitOrIso8601AndABareNumberIsSeconds() {
        Map<String, Duration> cases = Map.of("500ms", Duration.ofMillis(500), "30s", Duration.ofSeconds(30), "5m",
                Duration.ofMinutes(5), "24h", Duration.ofHours(24), "7d", Duration.ofDays(7), "PT30S",
                Duration.ofSeconds(30), "pt1m", Duration.ofMinutes(1), "45", Duration.ofSeconds(45), "10 s",
                Duration.ofSeconds(10));
        cases.forEach((text, expected) -> {
            context.put("asyncreply.retention", text);
            assertThat(settings.duration("asyncreply.retention", Duration.ZERO)).as(text).isEqualTo(expected);
        });
    }

    @Test
    void malformedOrNegativeDurationIsAnErrorNamingTheSetting() {
        for (String bad : new String[] {"soon", "5 parsecs", "-5s", "PT-5S", "s", "99999999999999999999d"}) {
            context.put("asyncreply.retention", bad);
            assertThatThrownBy(() -> settings.duration("asyncreply.retention", Duration.ZERO)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("asyncreply.retention").hasMessageContaining("ASYNCREPLY_RETENTION");
        }
    }
}
