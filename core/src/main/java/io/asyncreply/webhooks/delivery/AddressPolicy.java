package io.asyncreply.webhooks.delivery;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Where webhooks may go (server-side request forgery defence): only {@code http} and {@code https}
 * URLs with a host, no user information; and a host that resolves to a special-use address
 * (loopback, private, unique-local, link-local, multicast, unspecified, carrier-grade NAT, reserved;
 * IPv6 forms that embed an IPv4 address are judged by that address) is refused unless the
 * allow-list admits it: by host name, by address, or by CIDR range. Every address a name resolves to
 * must pass: a name that resolves to one public and one private address is refused.
 *
 * <p>Checked when a URL is given (subscription, submit) and again before every attempt, on the
 * addresses resolved then, so a name that changed to a private address since (DNS rebinding) is
 * refused at send time.
 *
 * <p>The sender connects to an address checked here ({@link Verdict.Allowed#addresses()}), never
 * to what the name resolves to later: the name is only the request's {@code Host} and its TLS
 * server name. Hazard: a host allowed by name ({@code Allowed} with no addresses) is resolved when
 * the sender connects; the allow-list trusts that name, whatever it resolves to.
 */
public final class AddressPolicy {
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    /** Resolves a host name to all its addresses. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** What a check came to. */
    public sealed interface Verdict {
        /** Allowed: the addresses it resolved to (empty when the host is allowed by name). */
        record Allowed(List<InetAddress> addresses) implements Verdict {
        }

        /** Refused: why, in words a client may read (never includes the resolved address of someone else's host). */
        record Refused(String reason) implements Verdict {
        }

        /** The name did not resolve (now): a network failure, retried later at send time. */
        record Unresolved(String host) implements Verdict {
        }
    }

    private final Set<String> hosts;
    private final List<byte[][]> ranges; // {network, mask}
    private final Resolver resolver;
    private final String description;

    private AddressPolicy(Set<String> hosts, List<byte[][]> ranges, Resolver resolver, String description) {
        this.hosts = hosts;
        this.ranges = ranges;
        this.resolver = resolver;
        this.description = description;
    }

    /** No allow-list: special-use addresses are refused. */
    public static AddressPolicy strict() {
        return parse("");
    }

    /**
     * The policy with the allow-list {@code allow}: comma-separated host names, IPv4 or IPv6
     * addresses and CIDR ranges ({@code 10.0.0.0/8}, {@code fd00::/8}).
     *
     * @throws IllegalArgumentException naming the entry that is none of those
     */
    public static AddressPolicy parse(String allow) {
        return parse(allow, InetAddress::getAllByName);
    }

    /** {@link #parse(String)} with another resolver (tests). */
    public static AddressPolicy parse(String allow, Resolver resolver) {
        Set<String> hosts = new TreeSet<>();
        List<byte[][]> ranges = new ArrayList<>();
        for (String raw : (allow == null ? "" : allow).split(",")) {
            String e = raw.strip();
            if (e.isEmpty()) {
                continue;
            }
            int slash = e.indexOf('/');
            String addr = slash < 0 ? e : e.substring(0, slash);
            byte[] bytes = literal(addr);
            if (bytes == null) {
                if (slash >= 0 || !e.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
                    throw new IllegalArgumentException("webhook allow-list entry '" + e
                            + "' is not a host name, an address or a CIDR range");
                }
                hosts.add(e.toLowerCase(Locale.ROOT));
                continue;
            }
            int bits = bytes.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(e.substring(slash + 1));
                } catch (NumberFormatException x) {
                    bits = -1;
                }
                if (bits < 0 || bits > bytes.length * 8) {
                    throw new IllegalArgumentException("webhook allow-list entry '" + e + "' has a bad prefix length");
                }
            }
            byte[] mask = new byte[bytes.length];
            for (int i = 0; i < bits; i++) {
                mask[i / 8] |= (byte) (0x80 >>> (i % 8));
            }
            byte[] net = bytes.clone();
            for (int i = 0; i < net.length; i++) {
                net[i] &= mask[i];
            }
            ranges.add(new byte[][] {net, mask});
        }
        return new AddressPolicy(Set.copyOf(hosts), List.copyOf(ranges), resolver, allow == null ? "" : allow.strip());
    }

    /** The bytes of an address literal (IPv4 dotted quad, IPv6 with or without brackets), or null for a name. */
    static byte[] literal(String s) {
        String h = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        try {
            if (IPV4.matcher(h).matches()) {
                for (String part : h.split("\\.")) {
                    if (Integer.parseInt(part) > 255) {
                        return null;
                    }
                }
                return InetAddress.getByName(h).getAddress();
            }
            if (h.indexOf(':') >= 0 && h.matches("[0-9A-Fa-f:.%a-zA-Z0-9]+")) {
                InetAddress a = InetAddress.getByName(h); // a literal: no lookup
                return a instanceof Inet4Address ? v4Mapped(a.getAddress()) : a.getAddress();
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }

    private static byte[] v4Mapped(byte[] v4) {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(v4, 0, b, 12, 4);
        return b;
    }

    /** The allow-list as configured. */
    public String description() {
        return description;
    }

    /**
     * Why {@code url} is not a webhook URL (not absolute http or https with a host, or with user
     * information or a fragment), or null when its form is fine.
     */
    public static String formProblem(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            return "is not a URL";
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "must be an http or https URL";
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            return "must name a host";
        }
        if (u.getRawUserInfo() != null || u.getRawFragment() != null) {
            return "must have no user information and no fragment";
        }
        return null;
    }

    /**
     * Checks {@code url}: its form, then every address its host resolves to now. Blocks for the
     * lookup (a name not in the JVM's cache asks DNS).
     */
    public Verdict check(String url) {
        String form = formProblem(url);
        if (form != null) {
            return new Verdict.Refused("The URL " + form + ".");
        }
        String host = URI.create(url).getHost().toLowerCase(Locale.ROOT);
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (hosts.contains(bare)) {
            return new Verdict.Allowed(List.of());
        }
        InetAddress[] all;
        try {
            all = resolver.resolve(bare);
        } catch (UnknownHostException e) {
            return new Verdict.Unresolved(bare);
        }
        if (all == null || all.length == 0) {
            return new Verdict.Unresolved(bare);
        }
        for (InetAddress a : all) {
            String special = specialUse(a);
            if (special != null && !allowed(a)) {
                return new Verdict.Refused("The URL's host resolves to a " + special + " address, which webhooks do "
                        + "not reach unless the allow-list (asyncreply.webhooks.allow) admits it.");
            }
        }
        return new Verdict.Allowed(List.of(all));
    }

    private boolean allowed(InetAddress a) {
        byte[] b = a instanceof Inet4Address ? v4Mapped(a.getAddress()) : a.getAddress();
        for (byte[][] r : ranges) {
            byte[] net = r[0].length == 4 ? v4Mapped(r[0]) : r[0];
            byte[] mask = r[1].length == 4 ? v4MappedMask(r[1]) : r[1];
            boolean in = true;
            for (int i = 0; i < 16 && in; i++) {
                in = (b[i] & mask[i]) == net[i];
            }
            if (in) {
                return true;
            }
        }
        return false;
    }

    private static byte[] v4MappedMask(byte[] mask) {
        byte[] m = new byte[16];
        Arrays.fill(m, 0, 12, (byte) 0xff);
        System.arraycopy(mask, 0, m, 12, 4);
        return m;
    }

    /**
     * The kind of special-use address {@code a} is ({@code loopback}, {@code private}, ...), or
     * null for an ordinary public one. IPv6 addresses that carry an IPv4 address (mapped
     * {@code ::ffff:0:0/96}, compatible {@code ::/96}, NAT64 {@code 64:ff9b::/96}, 6to4
     * {@code 2002::/16}) are judged by it.
     */
    public static String specialUse(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            return special6(b);
        }
        return special4(b);
    }

    private static String special4(byte[] b) {
        int o0 = b[0] & 0xff;
        int o1 = b[1] & 0xff;
        if (o0 == 0) {
            return "unspecified";
        }
        if (o0 == 127) {
            return "loopback";
        }
        if (o0 == 10 || (o0 == 172 && o1 >= 16 && o1 <= 31) || (o0 == 192 && o1 == 168)) {
            return "private";
        }
        if (o0 == 100 && o1 >= 64 && o1 <= 127) {
            return "carrier-grade NAT";
        }
        if (o0 == 169 && o1 == 254) {
            return "link-local";
        }
        if (o0 >= 224 && o0 <= 239) {
            return "multicast";
        }
        if (o0 >= 240) {
            return "reserved";
        }
        if (o0 == 192 && o1 == 0 && (b[2] & 0xff) == 0) {
            return "reserved";
        }
        return null;
    }

    private static String special6(byte[] b) {
        boolean zero10 = true;
        for (int i = 0; i < 10; i++) {
            zero10 &= b[i] == 0;
        }
        if (zero10 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return special4(Arrays.copyOfRange(b, 12, 16)); // ::ffff:a.b.c.d
        }
        if (zero10 && b[10] == 0 && b[11] == 0) {
            boolean allZero = b[12] == 0 && b[13] == 0 && b[14] == 0;
            if (allZero && b[15] == 0) {
                return "unspecified"; // ::
            }
            if (allZero && b[15] == 1) {
                return "loopback"; // ::1
            }
            return special4(Arrays.copyOfRange(b, 12, 16)); // ::a.b.c.d (deprecated IPv4-compatible)
        }
        int w0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        if (w0 == 0x0064 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
            boolean zero = true;
            for (int i = 4; i < 12; i++) {
                zero &= b[i] == 0;
            }
            if (zero) {
                return special4(Arrays.copyOfRange(b, 12, 16)); // NAT64 64:ff9b::/96
            }
        }
        if (w0 == 0x2002) {
            String s = special4(Arrays.copyOfRange(b, 2, 6)); // 6to4
            return s != null ? s : null;
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return "private"; // unique local fc00::/7
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80) {
            return "link-local"; // fe80::/10
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
            return "private"; // site-local fec0::/10 (deprecated)
        }
        if ((b[0] & 0xff) == 0xff) {
            return "multicast";
        }
        return null;
    }

    @Override
    public String toString() {
        return "AddressPolicy[allow=" + description + "]";
    }
}
