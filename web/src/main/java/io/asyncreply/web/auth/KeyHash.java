package io.asyncreply.web.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Makes API keys and the lines of the key file that hold their hashes. JDK only: it runs from the
 * WAR's classes.
 *
 * <pre>
 * unzip -q asyncreply.war 'WEB-INF/classes/*' -d /tmp/asyncreply
 * java -cp /tmp/asyncreply/WEB-INF/classes io.asyncreply.web.auth.KeyHash alice            # a new key for alice
 * java -cp /tmp/asyncreply/WEB-INF/classes io.asyncreply.web.auth.KeyHash ops admin        # a new admin key
 * printf %s "$KEY" | java -cp ... io.asyncreply.web.auth.KeyHash --stdin alice             # the hash of a key you have
 * </pre>
 *
 * A new key is printed once, on its own line, for the client; the line for the key file follows.
 * Nothing is written anywhere else.
 */
public final class KeyHash {
    private KeyHash() {
    }

    public static void main(String[] args) throws IOException {
        System.exit(run(args, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                System.out, System.err));
    }

    /** The command, with its streams; returns the exit status. */
    static int run(String[] args, BufferedReader in, PrintStream out, PrintStream err) throws IOException {
        boolean stdin = args.length > 0 && args[0].equals("--stdin");
        int first = stdin ? 1 : 0;
        int n = args.length - first;
        if (n < 1 || n > 2 || args[first].startsWith("-")) {
            err.println("usage: KeyHash [--stdin] <owner> [user|viewer|admin]");
            err.println("  prints a new random key and its line for the API key file (asyncreply.auth.keys.file);");
            err.println("  with --stdin, the line for the key read from standard input instead");
            return 2;
        }
        String owner = args[first];
        String role = n == 2 ? args[first + 1] : "user";
        String key;
        if (stdin) {
            key = in.readLine();
            if (key == null || key.strip().isEmpty()) {
                err.println("no key on standard input");
                return 2;
            }
            key = key.strip();
            if (key.length() > KeyDigest.MAX_KEY_LENGTH) {
                err.println("a key has at most " + KeyDigest.MAX_KEY_LENGTH + " characters");
                return 2;
            }
        } else {
            key = KeyDigest.newKey();
        }
        KeyLine line;
        try {
            line = new KeyLine(KeyDigest.of(key), owner, role);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        if (!stdin) {
            out.println("key (give it to the client; it is stored nowhere):");
            out.println(key);
            out.println("line for the key file:");
        }
        out.println(line.format());
        return 0;
    }
}
