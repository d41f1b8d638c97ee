package io.asyncreply.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key file is read again when it changes, at most once per interval, on the request path. */
class ApiKeysTest {
    private static final Duration EVERY = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    private final AtomicLong nanos = new AtomicLong(1_000);

    private Path file(String... lines) throws IOException {
        Path tmp = dir.resolve("keys.tmp");
        Files.writeString(tmp, String.join("\n", lines) + "\n");
        Path f = dir.resolve("keys");
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return f;
    }

    private static String line(String key, String owner) {
        return KeyDigest.of(key).format() + " " + owner;
    }

    private ApiKeys keys(Path f) {
        return new ApiKeys(KeyRing.EMPTY, f, EVERY, nanos::get);
    }

    @Test
    void aChangedFileIsReadAgainOnceTheIntervalHasPassed() throws Exception {
        Path f = file(line("ark_a", "alice"));
        ApiKeys keys = keys(f);
        assertThat(keys.ring().caller("ark_a")).isPresent();

        file(line("ark_b", "bob"), "# alice's key revoked");
        assertThat(keys.ring().caller("ark_a")).as("not looked at before the interval").isPresent();

        nanos.addAndGet(EVERY.toNanos());
        assertThat(keys.ring().caller("ark_a")).as("revoked").isEmpty();
        assertThat(keys.ring().caller("ark_b")).contains(Caller.of("bob", Caller.Role.USER));
    }

    @Test
    void aFileThatNoLongerParsesLeavesTheKeysReadBeforeInForce() throws Exception {
        Path f = file(line("ark_a", "alice"));
        ApiKeys keys = keys(f);

        file(line("ark_b", "bob"), "sha256:broken bob");
        nanos.addAndGet(EVERY.toNanos());
        assertThat(keys.ring().caller("ark_a")).isPresent();
        assertThat(keys.ring().caller("ark_b")).isEmpty();

        file(line("ark_b", "bob"));
        nanos.addAndGet(EVERY.toNanos());
        assertThat(keys.ring().caller("ark_b")).as("fixed").isPresent();
        assertThat(keys.ring().caller("ark_a")).isEmpty();
    }

    @Test
    void aMissingFileLeavesTheKeysReadBeforeInForce() throws Exception {
        Path f = file(line("ark_a", "alice"));
        ApiKeys keys = keys(f);
        Files.delete(f);
        nanos.addAndGet(EVERY.toNanos());

        assertThat(keys.ring().caller("ark_a")).isPresent();
    }

    @Test
    void theSettingsKeysStayBesideTheFilesKeys() throws Exception {
        Path f = file(line("ark_a", "alice"));
        ApiKeys keys = new ApiKeys(KeyRing.parse(line("ark_ops", "ops") + " admin", ',', "s"), f, EVERY, nanos::get);
        file("");
        nanos.addAndGet(EVERY.toNanos());

        assertThat(keys.ring().caller("ark_ops")).contains(Caller.of("ops", Caller.Role.ADMIN));
        assertThat(keys.ring().caller("ark_a")).isEmpty();
    }

    @Test
    void aFileThatCannotBeReadAtStartFailsTheStartNamingTheSetting() {
        assertThatThrownBy(() -> keys(dir.resolve("missing"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("asyncreply.auth.keys.file");
    }

    @Test
    void anOversizedFileIsRefused() throws Exception {
        Path f = dir.resolve("big");
        Files.write(f, new byte[(int) ApiKeys.MAX_FILE_BYTES + 1]);
        assertThatThrownBy(() -> keys(f)).hasMessageContaining("larger than");
    }
}
