package io.asyncreply.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {
    private static final long NOW = 1_795_000_000_000L; // 2026-11-18

    @Test
    void ids_are_thirty_url_safe_characters_and_well_formed() {
        String id = Ids.next(NOW);
        assertThat(id).hasSize(30).matches("[A-Za-z0-9_-]+");
        assertThat(Ids.isWellFormed(id)).isTrue();
    }

    @Test
    void ids_sort_by_submission_time_as_strings() {
        List<String> ids = new ArrayList<>();
        for (long t = NOW; t < NOW + 5_000; t += 7) {
            ids.add(Ids.next(t));
        }
        assertThat(ids).isSorted();
        assertThat(Ids.next(0)).isLessThan(Ids.next(1)).isLessThan(Ids.next(NOW)).isLessThan(Ids.next((1L << 42) - 1));
    }

    @Test
    void ids_of_one_millisecond_differ_in_their_random_part() {
        Set<String> seen = new HashSet<>();
        Set<String> randomParts = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = Ids.next(NOW);
            seen.add(id);
            randomParts.add(id.substring(7));
            assertThat(id).startsWith(Ids.next(NOW).substring(0, 7));
        }
        assertThat(seen).hasSize(10_000);
        assertThat(randomParts).hasSize(10_000);
    }

    @Test
    void every_character_of_the_random_part_takes_all_64_values() {
        List<Set<Character>> seen = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            seen.add(new HashSet<>());
        }
        for (int n = 0; n < 5_000; n++) {
            String id = Ids.next(NOW);
            for (int i = 0; i < 23; i++) {
                seen.get(i).add(id.charAt(7 + i));
            }
        }
        // 138 bits in 23 characters: each one is 6 random bits, so each shows all 64 characters
        for (Set<Character> s : seen) {
            assertThat(s).hasSize(64);
        }
    }

    @Test
    void ids_begin_with_a_letter_in_this_century_never_with_a_dash() {
        long year2026 = 1_767_225_600_000L;
        long year2050 = 2_524_608_000_000L;
        for (long t = year2026; t < year2050; t += 86_400_000L * 30) {
            assertThat(Ids.next(t).charAt(0)).as("id of %s", java.time.Instant.ofEpochMilli(t)).isBetween('A', 'Z');
        }
    }

    @Test
    void ids_of_earlier_versions_stay_well_formed() {
        assertThat(Ids.isWellFormed("AbCdEfGhIjKlMnOpQrSt-_")).isTrue(); // 22 characters
        assertThat(Ids.isWellFormed("-P7H4UCxQIqleY1V0Yse8v8XuRdTAO")).isTrue(); // 8 time characters
    }

    @Test
    void other_lengths_and_characters_are_not_ids() {
        assertThat(Ids.isWellFormed(null)).isFalse();
        assertThat(Ids.isWellFormed("")).isFalse();
        assertThat(Ids.isWellFormed(Ids.next(NOW).substring(1))).isFalse();
        assertThat(Ids.isWellFormed("AbCdEfGhIjKlMnOpQrSt-.")).isFalse();
        assertThat(Ids.isWellFormed(Ids.next(NOW).substring(0, 29) + "=")).isFalse();
    }
}
