package io.asyncreply.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What each kind of caller sees and may do: the decisions every entry path takes from Caller. */
class CallerTest {
    private final Caller admin = Caller.of("ops", Caller.Role.ADMIN);
    private final Caller viewer = Caller.of("audit", Caller.Role.VIEWER);
    private final Caller user = Caller.of("alice", Caller.Role.USER);

    @Test
    void aUserReadsAndActsOnItsOwnTasksOnly() {
        assertThat(user.readScope()).isEqualTo("alice");
        assertThat(user.actScope()).isEqualTo("alice");
        assertThat(user.mayAct()).isTrue();
        assertThat(user.isAdmin()).isFalse();
        assertThat(user.isOperator()).isFalse();
    }

    @Test
    void aViewerReadsEveryonesTasksAndActsOnNone() {
        assertThat(viewer.readScope()).isNull();
        assertThat(viewer.mayAct()).isFalse();
        assertThat(viewer.isAdmin()).isFalse();
        assertThat(viewer.isOperator()).isTrue();
    }

    @Test
    void anAdminReadsAndActsOnEveryonesTasks() {
        assertThat(admin.readScope()).isNull();
        assertThat(admin.actScope()).isNull();
        assertThat(admin.mayAct()).isTrue();
        assertThat(admin.isAdmin()).isTrue();
        assertThat(admin.isOperator()).isTrue();
    }

    @Test
    void withoutAuthenticationEveryoneIsTheAnonymousOwnerAllowedEverything() {
        assertThat(Caller.ANONYMOUS.owner()).isNull();
        assertThat(Caller.ANONYMOUS.authenticated()).isFalse();
        assertThat(Caller.ANONYMOUS.readScope()).isNull();
        assertThat(Caller.ANONYMOUS.mayAct()).isTrue();
        assertThat(Caller.ANONYMOUS.isAdmin()).isTrue();
    }

    @Test
    void anAuthenticatedCallerHasAnOwner() {
        assertThatThrownBy(() -> Caller.of("", Caller.Role.USER)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Caller.of(null, Caller.Role.ADMIN)).isInstanceOf(IllegalArgumentException.class);
    }
}
