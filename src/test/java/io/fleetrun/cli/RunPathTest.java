package io.fleetrun.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.fleetrun.store.CliRequests;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.ReadOnlyDatabase;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code run} and {@code stop} reach the daemon without jOOQ, a connection pool, Flyway or
 * logback: on a loaded 2-core machine loading them cost the CLI about a second of CPU and
 * several seconds of wall time before its request was in the database (issue 7, speed targets).
 */
class RunPathTest {
  @Test
  void theRequestAndFollowPathsLoadNoHeavyLibrary() {
    Set<String> onThePath = Set.of(RunCommand.class.getName(), StopCommand.class.getName(),
        DaemonClient.class.getName(), WithdrawOnExit.class.getName(), CliDatabase.class.getName(),
        Progress.class.getName(), ProgressText.class.getName(), RecordText.class.getName(),
        CliRequests.class.getName(), JdbcInvocationQueries.class.getName(), ReadOnlyDatabase.class.getName(),
        "io.fleetrun.store.JdbcRows", "io.fleetrun.store.JdbcStatusQueries", "io.fleetrun.store.ControlPayload",
        "io.fleetrun.store.CliConnection", "io.fleetrun.store.PostgresqlSource", "io.fleetrun.store.PostgresqlDriverLog");
    JavaClasses path = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.fleetrun.cli", "io.fleetrun.store")
        .that(DescribedPredicate.describe("on the run path",
            (JavaClass c) -> onThePath.contains(c.getName().replaceAll("\\$.*", ""))));
    assertThat(path.size()).isGreaterThanOrEqualTo(onThePath.size());
    noClasses().should().dependOnClassesThat().resideInAnyPackage(
            "org.jooq..", "com.zaxxer..", "org.flywaydb..", "ch.qos.logback..", "io.fleetrun.store.jooq..",
            // The PostgreSQL driver loads through DriverManager, for a PostgreSQL URL only.
            "org.postgresql..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("io.fleetrun.store.Database")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("io.fleetrun.store.JooqControlChannel")
        .check(path);
  }
}
