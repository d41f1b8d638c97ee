package io.asyncreply.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PreferTest {

    private static int waitOf(int cap, String... headers) {
        return Prefer.waitSeconds(Collections.enumeration(List.of(headers)), cap);
    }

    @ParameterizedTest(name = "Prefer: {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "wait=5 | 5",
        "WAIT=7 | 7",
        "wait=0 | 0",
        "respond-async, wait=10 | 10",
        "wait=10, respond-async | 10",
        "respond-async; wait=3 | 3",
        "wait=\"8\" | 8",
        "wait = 4 | 4",
        "wait=abc | 0",
        "wait= | 0",
        "wait=-1 | 0",
        "wait=1.5 | 0",
        "wait=9999999999 | 60",
        "wait=99999999999999999999 | 60",
        "wait=007 | 7",
        "wait=+5 | 0",
        "handling=lenient | 0",
        "waiting=5 | 0",
    })
    void readsTheWaitPreference(String header, int expected) {
        assertThat(waitOf(60, header)).isEqualTo(expected);
    }

    @Test
    void waitIsCapped() {
        assertThat(waitOf(60, "wait=3600")).isEqualTo(60);
        assertThat(waitOf(0, "wait=5")).isZero();
    }

    @Test
    void waitMayBeInAnyOfSeveralPreferHeaders() {
        assertThat(waitOf(60, "respond-async", "wait=12")).isEqualTo(12);
    }

    @Test
    void noHeaderMeansNoWait() {
        assertThat(waitOf(60)).isZero();
        assertThat(Prefer.waitSeconds(null, 60)).isZero();
    }
}
