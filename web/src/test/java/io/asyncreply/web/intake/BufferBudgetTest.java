package io.asyncreply.web.intake;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BufferBudgetTest {
    private final BufferBudget budget = new BufferBudget(100);

    @Test
    void reservationsThatDoNotFitAreRefusedAndTakeNothing() {
        BufferBudget.Reservation a = budget.reserve(60);
        assertThat(a).isNotNull();
        assertThat(budget.reserve(41)).isNull();
        assertThat(budget.used()).isEqualTo(60);
        assertThat(budget.reserve(40)).isNotNull();
        assertThat(budget.used()).isEqualTo(100);
    }

    @Test
    void growingTakesOnlyTheDifferenceAndOnlyWhenItFits() {
        BufferBudget.Reservation a = budget.reserve(10);
        assertThat(a.grow(5)).isTrue();
        assertThat(budget.used()).isEqualTo(10);
        assertThat(a.grow(50)).isTrue();
        assertThat(budget.used()).isEqualTo(50);
        assertThat(a.grow(101)).isFalse();
        assertThat(budget.used()).isEqualTo(50);
        assertThat(a.held()).isEqualTo(50);
    }

    @Test
    void releaseGivesEverythingBackOnceAndAReleasedReservationNoLongerGrows() {
        BufferBudget.Reservation a = budget.reserve(30);
        a.grow(70);
        a.release();
        a.release();
        assertThat(budget.used()).isZero();
        assertThat(a.grow(80)).isFalse();
        assertThat(budget.used()).as("a grow after the release takes nothing").isZero();
    }
}
