package io.asyncreply.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.store.StoreException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** What a store failure tells the operator, and what it keeps out of the logs. */
class SqlTest {

    @Test
    void a_schema_the_role_cannot_create_in_is_named_with_the_databases_words() {
        StoreException e = Sql.failure("could not create or upgrade the task tables (t)",
                new SQLException("ERROR: no schema has been selected to create in", "3F000"));

        assertThat(e.getMessage()).isEqualTo("could not create or upgrade the task tables (t) (SQLState 3F000, "
                + "error 0): ERROR: no schema has been selected to create in");
    }

    @Test
    void a_missing_privilege_is_named_with_the_databases_words() {
        StoreException e = Sql.failure("could not claim", new SQLException(
                "ERROR: permission denied for schema walk", "42501"));

        assertThat(e.getMessage()).endsWith(": ERROR: permission denied for schema walk");
        assertThat(e.getCause()).isInstanceOf(SQLException.class);
    }

    @Test
    void a_failure_whose_message_may_hold_row_data_keeps_only_its_codes() {
        SQLException rowData = new SQLException("ERROR: new row violates check constraint\n"
                + "  Detail: Failing row contains (secret-payload)", "23514", 0);

        StoreException e = Sql.failure("could not store 1 tasks", rowData);

        assertThat(e.getMessage()).isEqualTo("could not store 1 tasks (SQLState 23514, error 0)");
        assertThat(e.getCause()).isNull();
    }
}
