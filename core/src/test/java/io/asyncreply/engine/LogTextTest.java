package io.asyncreply.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void taskTextCannotStartAForgedLogRecord() {
        String forged = "boom\nDec 01, 2026 4:20:24 PM io.asyncreply.engine.Admission x\nSEVERE: admin password reset";

        String safe = LogText.safe(forged);

        assertThat(safe).doesNotContain("\n").doesNotContain("\r")
                .startsWith("boom\\nDec 01");
        assertThat(LogText.safe("a\rb\u0000c\u2028d\\e")).isEqualTo("a\\rb\\u0000c\\u2028d\\\\e");
        assertThat(LogText.safe("x".repeat(600))).hasSize(LogText.MAX + 3).endsWith("...");
        assertThat(LogText.safe(null)).isEqualTo("null");
    }
}
