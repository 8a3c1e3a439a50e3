package io.fleetrun.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Keeps the direction of dependencies that DESIGN.md gives each room (package). */
class PackageRulesTest {
  private static final List<String> ROOMS =
      List.of("model", "status", "config", "exec", "store", "invoke", "schedule", "daemon", "cli", "demo",
          "observe", "http");
  private static JavaClasses classes;

  @BeforeAll
  static void importProductionClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.fleetrun");
  }

  static Stream<Arguments> allowedImports() {
    return Stream.of(
        Arguments.of("model", Set.of()),
        Arguments.of("status", Set.of("model")),
        Arguments.of("config", Set.of("model")),
        Arguments.of("exec", Set.of("model")),
        Arguments.of("store", Set.of("model")),
        Arguments.of("invoke", Set.of("model", "status", "exec", "store")),
        Arguments.of("schedule", Set.of("model", "invoke")),
        Arguments.of("cli", Set.of("model", "store", "config")),
        Arguments.of("observe", Set.of("model", "invoke")),
        Arguments.of("http", Set.of("model", "store")));
  }

  @ParameterizedTest(name = "{0} may import only {1}")
  @MethodSource("allowedImports")
  void eachRoomImportsOnlyWhatDesignAllows(String room, Set<String> allowed) {
    String[] forbidden =
        ROOMS.stream()
            .filter(r -> !r.equals(room) && !allowed.contains(r))
            .map(r -> "io.fleetrun." + r + "..")
            .toArray(String[]::new);
    noClasses()
        .that()
        .resideInAPackage("io.fleetrun." + room + "..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(forbidden)
        .check(classes);
  }

  @Test
  void observeSeesOfInvokeOnlyItsRunEvents() {
    noClasses()
        .that()
        .resideInAPackage("io.fleetrun.observe..")
        .should()
        .dependOnClassesThat(
            DescribedPredicate.describe("invoke classes other than RunEvent and RunEvents",
                c -> c.getPackageName().equals("io.fleetrun.invoke")
                    && !c.getName().startsWith("io.fleetrun.invoke.RunEvent")))
        .check(classes);
  }
}
