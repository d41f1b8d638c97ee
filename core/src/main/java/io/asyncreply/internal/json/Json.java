package io.asyncreply.internal.json;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 JSON reader over UTF-8 bytes, so that core can validate and read JSON payloads
 * without a library. {@link #check(byte[])} validates without building anything; {@link #parse}
 * builds {@code Map<String,Object>} (insertion order), {@code List<Object>}, {@code String},
 * {@link BigDecimal}, {@code Boolean} and {@link #NULL}.
 *
 * <p>Rejected: trailing content, leading zeros, control characters in strings, invalid UTF-8 and
 * nesting deeper than {@link #MAX_DEPTH} (to bound stack use). Accepted: lone surrogate escapes
 * (RFC 8259 allows them) and a leading UTF-8 byte order mark, which is skipped.
 *
 * <p>Limits of {@link #parse} only (RFC 8259 lets implementations limit numbers; {@link #check}
 * validates the grammar and accepts them): a number of more than {@link #MAX_NUMBER_LENGTH}
 * characters, or whose exponent does not fit an {@code int}, is refused. Turning digits into a
 * {@link BigDecimal} takes time quadratic in their count: a 1 MiB body of digits would cost a
 * minute of CPU.
 */
public final class Json {
    /** Deepest nesting of arrays and objects accepted. */
    public static final int MAX_DEPTH = 512;
    /** Longest number {@link #parse} turns into a {@link BigDecimal}, in characters. */
    public static final int MAX_NUMBER_LENGTH = 1000;
    /** The JSON {@code null}, so that maps can tell it from an absent member. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private final byte[] in;
    private final boolean build;
    private int pos;
    private int depth;

    private Json(byte[] in, boolean build) {
        this.in = in;
        this.build = build;
        if (in.length >= 3 && (in[0] & 0xFF) == 0xEF && (in[1] & 0xFF) == 0xBB && (in[2] & 0xFF) == 0xBF) {
            pos = 3;
        }
    }

    /** Checks that {@code bytes} is one well-formed JSON text. */
    public static void check(byte[] bytes) throws JsonException {
        new Json(bytes, false).document();
    }

    /** Parses one JSON text. */
    public static Object parse(byte[] bytes) throws JsonException {
        return new Json(bytes, true).document();
    }

    /** Quotes {@code s} as a JSON string literal. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        b.append(c).append(s.charAt(++i));
                    } else if (c < 0x20 || Character.isSurrogate(c)) {
                        // a lone surrogate has no UTF-8 form (it would become '?'): escape it
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private Object document() throws JsonException {
        skipWhitespace();
        if (pos >= in.length) {
            throw error("empty input");
        }
        Object v = value();
        skipWhitespace();
        if (pos < in.length) {
            throw error("unexpected content after the JSON value");
        }
        return v;
    }

    private Object value() throws JsonException {
        if (pos >= in.length) {
            throw error("unexpected end of input");
        }
        byte c = in[pos];
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return NULL;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character '" + printable(c) + "'");
        }
    }

    private Object object() throws JsonException {
        enter();
        pos++;
        Map<String, Object> map = build ? new LinkedHashMap<>() : null;
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            depth--;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a member name in double quotes");
            }
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object v = value();
            if (build) {
                map.put(key, v);
            }
            skipWhitespace();
            int c = peek();
            pos++;
            if (c == '}') {
                depth--;
                return map;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private Object array() throws JsonException {
        enter();
        pos++;
        List<Object> list = build ? new ArrayList<>() : null;
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            depth--;
            return list;
        }
        while (true) {
            skipWhitespace();
            Object v = value();
            if (build) {
                list.add(v);
            }
            skipWhitespace();
            int c = peek();
            pos++;
            if (c == ']') {
                depth--;
                return list;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private void enter() throws JsonException {
        if (++depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
    }

    private String string() throws JsonException {
        int start = ++pos;
        StringBuilder sb = null;
        while (true) {
            if (pos >= in.length) {
                throw error("unterminated string");
            }
            int c = in[pos] & 0xFF;
            if (c == '"') {
                String s = null;
                if (build) {
                    s = sb == null ? new String(in, start, pos - start, StandardCharsets.UTF_8)
                            : sb.append(new String(in, start, pos - start, StandardCharsets.UTF_8)).toString();
                }
                pos++;
                return s;
            }
            if (c == '\\') {
                if (build) {
                    if (sb == null) {
                        sb = new StringBuilder();
                    }
                    sb.append(new String(in, start, pos - start, StandardCharsets.UTF_8));
                }
                pos++;
                char unescaped = escape();
                if (build) {
                    sb.append(unescaped);
                }
                start = pos;
            } else if (c < 0x20) {
                throw error("control character in a string");
            } else if (c < 0x80) {
                pos++;
            } else {
                utf8(c);
            }
        }
    }

    private char escape() throws JsonException {
        if (pos >= in.length) {
            throw error("unterminated escape");
        }
        byte c = in[pos++];
        switch (c) {
            case '"':
                return '"';
            case '\\':
                return '\\';
            case '/':
                return '/';
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'u':
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    if (pos >= in.length) {
                        throw error("unterminated \\u escape");
                    }
                    int d = Character.digit(in[pos], 16);
                    if (d < 0) {
                        throw error("bad \\u escape");
                    }
                    v = v * 16 + d;
                    pos++;
                }
                return (char) v;
            default:
                pos--;
                throw error("bad escape '\\" + printable(c) + "'");
        }
    }

    /** Validates one multi-byte UTF-8 sequence starting with lead byte {@code c} at pos. */
    private void utf8(int c) throws JsonException {
        int n;
        int min;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            min = 0x10000;
        } else {
            throw error("invalid UTF-8");
        }
        int cp = c & (0x3F >> n);
        for (int i = 1; i <= n; i++) {
            if (pos + i >= in.length || (in[pos + i] & 0xC0) != 0x80) {
                throw error("invalid UTF-8");
            }
            cp = (cp << 6) | (in[pos + i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            throw error("invalid UTF-8");
        }
        pos += n + 1;
    }

    private Object number() throws JsonException {
        int start = pos;
        if (in[pos] == '-') {
            pos++;
        }
        if (pos >= in.length) {
            throw error("incomplete number");
        }
        if (in[pos] == '0') {
            pos++;
            if (pos < in.length && isDigit(in[pos])) {
                throw error("leading zero in a number");
            }
        } else if (isDigit(in[pos])) {
            digits();
        } else {
            throw error("incomplete number");
        }
        if (pos < in.length && in[pos] == '.') {
            pos++;
            if (pos >= in.length || !isDigit(in[pos])) {
                throw error("digit expected after '.'");
            }
            digits();
        }
        if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
            pos++;
            if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) {
                pos++;
            }
            if (pos >= in.length || !isDigit(in[pos])) {
                throw error("digit expected in exponent");
            }
            digits();
        }
        if (!build) {
            return null;
        }
        if (pos - start > MAX_NUMBER_LENGTH) {
            pos = start;
            throw error("number longer than " + MAX_NUMBER_LENGTH + " characters");
        }
        try {
            return new BigDecimal(new String(in, start, pos - start, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) { // exponent beyond int range
            throw error("number out of range");
        }
    }

    private void digits() {
        while (pos < in.length && isDigit(in[pos])) {
            pos++;
        }
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private void literal(String word) throws JsonException {
        for (int i = 0; i < word.length(); i++) {
            if (pos + i >= in.length) {
                pos += i;
                throw error("unexpected end of input");
            }
            if (in[pos + i] != word.charAt(i)) {
                pos += i; // the offset of the offending byte, not of the literal's start
                throw error("unexpected character '" + printable(in[pos]) + "'");
            }
        }
        pos += word.length();
    }

    private void skipWhitespace() {
        while (pos < in.length) {
            byte c = in[pos];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    private int peek() throws JsonException {
        if (pos >= in.length) {
            throw error("unexpected end of input");
        }
        return in[pos];
    }

    private void expect(char c) throws JsonException {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private JsonException error(String message) {
        return new JsonException(message, pos);
    }

    private static String printable(int b) {
        int c = b & 0xFF;
        return c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02x", c);
    }
}
