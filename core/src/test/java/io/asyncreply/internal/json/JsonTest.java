package io.asyncreply.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    /** A JSON string literal whose content is the given raw bytes. */
    private static byte[] quoted(int... content) {
        byte[] out = new byte[content.length + 2];
        out[0] = '"';
        for (int i = 0; i < content.length; i++) {
            out[i + 1] = (byte) content[i];
        }
        out[out.length - 1] = '"';
        return out;
    }

    private static void assertMalformed(byte[] in) {
        assertThatThrownBy(() -> Json.check(in)).as("check %s", new String(in, StandardCharsets.ISO_8859_1))
                .isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> Json.parse(in)).as("parse %s", new String(in, StandardCharsets.ISO_8859_1))
                .isInstanceOf(JsonException.class);
    }

    private static Object parse(String s) throws JsonException {
        Json.check(utf8(s));
        return Json.parse(utf8(s));
    }

    // ---------------------------------------------------------------- well-formed

    @ParameterizedTest
    @ValueSource(strings = {"{}", "[]", "0", "-0", "1", "-1", "123", "1.5", "-0.25", "1e10", "1E10", "1e+10",
            "1e-10", "1.5E-3", "0e0", "true", "false", "null", "\"\"", "\"abc\"", " \t\r\n{ } \t\r\n",
            "[1,2,3]", "[[],[[]]]", "{\"a\":{\"b\":[true,false,null]}}", "{\"a\":1,\"a\":2}",
            "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00e9 \\uD83D\\uDE00\"", "\"\\uDEAD\"",
            "\"\u00e9\u20ac\uD83D\uDE00\"", "\"\u007f\""})
    void well_formed_json_is_accepted(String text) throws JsonException {
        parse(text);
    }

    @Test
    void a_leading_byte_order_mark_is_skipped() throws JsonException {
        byte[] in = bytes(0xEF, 0xBB, 0xBF, '{', '}');
        Json.check(in);
        assertThat(Json.parse(in)).isEqualTo(Map.of());
        assertMalformed(bytes(0xEF, 0xBB, 0xBF));
        assertMalformed(bytes('{', '}', 0xEF, 0xBB, 0xBF));
        assertMalformed(bytes(0xEF, 0xBB, '{', '}'));
    }

    // ---------------------------------------------------------------- malformed

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "}", "[", "]", "{]", "[}", "[1,]", "[,1]", "{\"a\":1,}", "{,}",
            "{\"a\" 1}", "{\"a\":}", "{a:1}", "{'a':1}", "{\"a\":1 \"b\":2}", "[1 2]", "\"abc", "abc", "nul",
            "tru", "fals", "True", "NULL", "undefined", "NaN", "Infinity", "-Infinity", "+1", ".5", "5.", "-",
            "--1", "1e", "1e+", "1E-", "1.e5", "0x10", "1_000", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"",
            "\"\\U0041\"", "\"\\", "// comment\n1", "/* c */1", "[1]//", "\u00a01", "1\u00a0"})
    void malformed_json_is_refused(String text) {
        assertMalformed(utf8(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{} x", "{}{}", "[] []", "1 2", "true false", "\"a\" \"b\"", "{}]", "null,", "0 0",
            "1.5.5", "1e5e5", "{}\u0000"})
    void trailing_content_is_refused(String text) {
        assertMalformed(utf8(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"01", "00", "-01", "012.5", "[01]", "{\"a\":00}", "-00"})
    void numbers_with_leading_zeros_are_refused(String text) {
        assertMalformed(utf8(text));
    }

    @Test
    void control_characters_in_strings_must_be_escaped() throws JsonException {
        for (int c = 0; c < 0x20; c++) {
            assertMalformed(quoted('a', c, 'b'));
        }
        assertThat(Json.parse(utf8("\"a\\u0000\\u001fb\""))).isEqualTo("a\u0000\u001fb");
    }

    @Test
    void invalid_utf8_is_refused() {
        assertMalformed(quoted(0x80)); // a continuation byte alone
        assertMalformed(quoted(0xBF));
        assertMalformed(quoted(0xC3)); // a lead byte without its continuation
        assertMalformed(quoted(0xC3, 'a'));
        assertMalformed(quoted(0xE2, 0x82)); // truncated 3-byte sequence
        assertMalformed(quoted(0xF0, 0x9F, 0x98)); // truncated 4-byte sequence
        assertMalformed(quoted(0xF5, 0x80, 0x80, 0x80)); // lead bytes that never occur
        assertMalformed(quoted(0xFE));
        assertMalformed(quoted(0xFF));
        assertMalformed(bytes(0xC3)); // cut off at the end of input
        assertMalformed(bytes('"', 0xE2, 0x82));
        assertMalformed(bytes(0xC3, 0xA9)); // a valid character outside a string
    }

    @Test
    void overlong_utf8_encodings_are_refused() {
        assertMalformed(quoted(0xC0, 0xAF)); // '/' in 2 bytes
        assertMalformed(quoted(0xC1, 0xBF));
        assertMalformed(quoted(0xE0, 0x80, 0xAF)); // '/' in 3 bytes
        assertMalformed(quoted(0xE0, 0x9F, 0xBF)); // U+07FF in 3 bytes
        assertMalformed(quoted(0xF0, 0x80, 0x80, 0xAF)); // '/' in 4 bytes
        assertMalformed(quoted(0xF0, 0x8F, 0xBF, 0xBF)); // U+FFFF in 4 bytes
        assertMalformed(quoted(0xC0, 0x80)); // "modified UTF-8" NUL
    }

    @Test
    void utf8_encoded_surrogates_and_code_points_beyond_u10ffff_are_refused() {
        assertMalformed(quoted(0xED, 0xA0, 0x80)); // U+D800
        assertMalformed(quoted(0xED, 0xBF, 0xBF)); // U+DFFF
        assertMalformed(quoted(0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80)); // CESU-8 pair for U+1F600
        assertMalformed(quoted(0xF4, 0x90, 0x80, 0x80)); // U+110000
    }

    @Test
    void the_edges_of_valid_utf8_are_accepted() throws JsonException {
        assertThat(Json.parse(quoted(0xC2, 0x80))).isEqualTo("\u0080");
        assertThat(Json.parse(quoted(0xDF, 0xBF))).isEqualTo("\u07ff");
        assertThat(Json.parse(quoted(0xE0, 0xA0, 0x80))).isEqualTo("\u0800");
        assertThat(Json.parse(quoted(0xED, 0x9F, 0xBF))).isEqualTo("\ud7ff");
        assertThat(Json.parse(quoted(0xEE, 0x80, 0x80))).isEqualTo("\ue000");
        assertThat(Json.parse(quoted(0xEF, 0xBF, 0xBF))).isEqualTo("\uffff");
        assertThat(Json.parse(quoted(0xF0, 0x90, 0x80, 0x80))).isEqualTo(new String(Character.toChars(0x10000)));
        assertThat(Json.parse(quoted(0xF4, 0x8F, 0xBF, 0xBF))).isEqualTo(new String(Character.toChars(0x10FFFF)));
    }

    @Test
    void nesting_is_accepted_up_to_the_depth_limit_and_refused_beyond() throws JsonException {
        int max = Json.MAX_DEPTH;
        Json.check(utf8("[".repeat(max) + "]".repeat(max)));
        assertThat(Json.parse(utf8("[".repeat(max) + "]".repeat(max)))).isInstanceOf(List.class);
        Json.check(utf8("{\"a\":".repeat(max) + "1" + "}".repeat(max)));

        assertThatThrownBy(() -> Json.check(utf8("[".repeat(max + 1) + "]".repeat(max + 1))))
                .isInstanceOf(JsonException.class).hasMessageContaining("nesting");
        assertThatThrownBy(() -> Json.parse(utf8("{\"a\":".repeat(max + 1) + "1" + "}".repeat(max + 1))))
                .isInstanceOf(JsonException.class).hasMessageContaining("nesting");
        // deep, unclosed input: refused without a StackOverflowError
        assertThatThrownBy(() -> Json.check(utf8("[".repeat(1_000_000)))).isInstanceOf(JsonException.class);
        // siblings do not add up: depth is nesting, not count
        Json.check(utf8("[" + "[[]],".repeat(10_000) + "[]]"));
    }

    @Test
    void an_error_names_the_offset_of_the_problem() {
        assertThatThrownBy(() -> Json.check(utf8("{\"a\": tru}")))
                .isInstanceOfSatisfying(JsonException.class, e -> assertThat(e.offset()).isEqualTo(9))
                .hasMessageContaining("at byte 9");
        assertThatThrownBy(() -> Json.check(utf8("[tru")))
                .isInstanceOfSatisfying(JsonException.class, e -> assertThat(e.offset()).isEqualTo(4))
                .hasMessageContaining("end of input");
        assertThatThrownBy(() -> Json.check(utf8("[1] x")))
                .isInstanceOfSatisfying(JsonException.class, e -> assertThat(e.offset()).isEqualTo(4));
    }

    // ---------------------------------------------------------------- what parse builds

    @Test
    void parse_builds_ordered_maps_lists_strings_decimals_booleans_and_null() throws JsonException {
        Object v = parse("{\"z\":1,\"a\":[true,false,null,\"s\"],\"m\":{}}");
        assertThat(v).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        assertThat(m.keySet()).containsExactly("z", "a", "m");
        assertThat(m.get("z")).isEqualTo(new BigDecimal("1"));
        @SuppressWarnings("unchecked")
        List<Object> a = (List<Object>) m.get("a");
        assertThat(a).containsExactly(Boolean.TRUE, Boolean.FALSE, Json.NULL, "s");
        assertThat(m.get("m")).isEqualTo(Map.of());
        assertThat(String.valueOf(Json.NULL)).isEqualTo("null");
    }

    @Test
    void a_duplicate_member_keeps_the_last_value() throws JsonException {
        assertThat(parse("{\"a\":1,\"a\":2}")).isEqualTo(Map.of("a", new BigDecimal("2")));
    }

    @Test
    void numbers_keep_their_exact_value_including_exponents() throws JsonException {
        assertThat(parse("1e3")).isEqualTo(new BigDecimal("1E+3"));
        assertThat(((BigDecimal) parse("1E3")).longValueExact()).isEqualTo(1000);
        assertThat(((BigDecimal) parse("2.5e-2")).compareTo(new BigDecimal("0.025"))).isZero();
        assertThat(((BigDecimal) parse("-1.5E+2")).longValueExact()).isEqualTo(-150);
        assertThat(parse("-0")).isEqualTo(new BigDecimal("0"));
        assertThat(parse("123456789012345678901234567890"))
                .isEqualTo(new BigDecimal("123456789012345678901234567890"));
        assertThat(parse("0.1")).isEqualTo(new BigDecimal("0.1"));
    }

    @Test
    void parse_refuses_numbers_longer_than_its_limit_which_check_accepts() throws JsonException {
        String longest = "1" + "0".repeat(Json.MAX_NUMBER_LENGTH - 1);
        assertThat(parse(longest)).isEqualTo(new BigDecimal(longest));
        assertThat(parse("-0." + "0".repeat(Json.MAX_NUMBER_LENGTH - 4) + "1")).isInstanceOf(BigDecimal.class);

        byte[] tooLong = utf8("[" + longest + "0]");
        Json.check(tooLong); // the grammar allows it
        assertThatThrownBy(() -> Json.parse(tooLong)).isInstanceOfSatisfying(JsonException.class,
                e -> assertThat(e.offset()).isEqualTo(1)).hasMessageContaining("number longer than");
        byte[] million = utf8("1" + "0".repeat(1 << 20));
        assertThatThrownBy(() -> Json.parse(million)).isInstanceOf(JsonException.class);
    }

    @Test
    void parse_refuses_an_exponent_beyond_int_range() throws JsonException {
        Json.check(utf8("1e99999999999"));
        assertThatThrownBy(() -> Json.parse(utf8("1e99999999999"))).isInstanceOf(JsonException.class)
                .hasMessageContaining("out of range");
        assertThat(parse("1e999999999")).isEqualTo(new BigDecimal("1e999999999"));
    }

    @Test
    void escapes_are_decoded() throws JsonException {
        assertThat(parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"")).isEqualTo("\"\\/\b\f\n\r\t");
        assertThat(parse("\"\\u0041\\u00E9\\u20ac\"")).isEqualTo("A\u00e9\u20ac");
        assertThat(parse("\"\\uD83D\\uDE00\"")).isEqualTo("\uD83D\uDE00");
        assertThat(parse("\"a\\nb\u00e9c\\td\"")).isEqualTo("a\nb\u00e9c\td");
        assertThat(parse("{\"k\\u0065y\":1}")).isEqualTo(Map.of("key", new BigDecimal(1)));
    }

    @Test
    void lone_surrogate_escapes_are_accepted_as_rfc_8259_allows() throws JsonException {
        assertThat(parse("\"\\uD800\"")).isEqualTo("\uD800");
        assertThat(parse("\"\\uDC00x\"")).isEqualTo("\uDC00x");
    }

    @Test
    void multibyte_text_is_decoded() throws JsonException {
        assertThat(parse("[\"h\u00e9llo \u4e16\u754c \uD83D\uDE00\"]")).isEqualTo(
                List.of("h\u00e9llo \u4e16\u754c \uD83D\uDE00"));
    }

    // ---------------------------------------------------------------- quote

    @Test
    void quote_escapes_what_json_requires_and_round_trips() throws JsonException {
        assertThat(Json.quote("")).isEqualTo("\"\"");
        assertThat(Json.quote("plain")).isEqualTo("\"plain\"");
        assertThat(Json.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(Json.quote("\n\r\t\b\f")).isEqualTo("\"\\n\\r\\t\\b\\f\"");
        assertThat(Json.quote("\u0000\u001f")).isEqualTo("\"\\u0000\\u001f\"");
        assertThat(Json.quote("/\u007f\u00e9\uD83D\uDE00")).isEqualTo("\"/\u007f\u00e9\uD83D\uDE00\"");

        assertThat(Json.quote("\uD800x\uDC00")).isEqualTo("\"\\ud800x\\udc00\"");
        assertThat(Json.quote("\uDC00\uD800")).isEqualTo("\"\\udc00\\ud800\"");
        assertThat(Json.quote("a\uD83D")).isEqualTo("\"a\\ud83d\"");

        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x100; c++) {
            all.append(c);
        }
        all.append("\u2028\u2029\u4e16\uD83D\uDE00 \uD800 \uDFFF\uDBFF");
        String s = all.toString();
        assertThat(Json.parse(utf8(Json.quote(s)))).isEqualTo(s);
    }
}
