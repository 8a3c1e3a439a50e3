package io.fleetrun.store;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class StorePackageTest {

  @Test
  void storeImportsOnlyTheModelOfFleetrun() {
    JavaClasses store = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.fleetrun.store");
    noClasses().that().resideInAPackage("io.fleetrun.store..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.fleetrun.status..", "io.fleetrun.exec..", "io.fleetrun.config..",
            "io.fleetrun.invoke..", "io.fleetrun.schedule..", "io.fleetrun.daemon..",
            "io.fleetrun.cli..")
        .check(store);
  }

  @Test
  void generatedTypesNeverLeaveTheStore() {
    List<String> leaks = new ArrayList<>();
    for (Class<?> type : List.of(Database.class, JooqInvocationStore.class,
        JdbcInvocationQueries.class, JooqControlChannel.class, UtcText.class)) {
      for (Method m : type.getMethods()) {
        if (!Modifier.isPublic(m.getModifiers())) {
          continue;
        }
        Stream.concat(Stream.of(m.getReturnType()), Stream.of(m.getParameterTypes()))
            .filter(t -> t.getPackageName().startsWith("io.fleetrun.store.jooq"))
            .forEach(t -> leaks.add(type.getSimpleName() + "." + m.getName() + " uses " + t.getName()));
      }
    }
    assertThat(leaks).isEmpty();
  }
}
