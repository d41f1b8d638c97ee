package io.asyncreply.web.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyHashTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String stdin, String... args) throws Exception {
        return KeyHash.run(args, new BufferedReader(new StringReader(stdin)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aNewKeyIsPrintedWithTheLineThatAdmitsIt() throws Exception {
        assertThat(run("", "ops", "admin")).isZero();

        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        String key = lines[1];
        String line = lines[3];
        assertThat(key).startsWith("ark_");
        assertThat(line).doesNotContain(key).endsWith(" ops admin");
        assertThat(KeyRing.parse(line, '\n', "t").caller(key)).contains(Caller.of("ops", Caller.Role.ADMIN));
    }

    @Test
    void aKeyFromStandardInputIsHashedNotPrinted() throws Exception {
        assertThat(run("my-own-key\n", "--stdin", "alice")).isZero();

        String printed = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(printed).doesNotContain("my-own-key").endsWith(" alice user");
        assertThat(KeyRing.parse(printed, '\n', "t").caller("my-own-key")).contains(Caller.of("alice", Caller.Role.USER));
    }

    @Test
    void badArgumentsPrintUsage() throws Exception {
        assertThat(run("")).isEqualTo(2);
        assertThat(run("", "alice", "root")).isEqualTo(2);
        assertThat(run("", "a b")).isEqualTo(2);
        assertThat(run("", "--stdin", "alice")).isEqualTo(2);
        assertThat(out.size()).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage");
    }
}
