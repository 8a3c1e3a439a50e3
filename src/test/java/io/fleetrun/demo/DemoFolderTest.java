package io.fleetrun.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.Main;
import io.fleetrun.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fleetrun demo --dir}: only a new, empty or earlier demo folder is emptied. */
class DemoFolderTest {
  @TempDir Path dir;

  @Test
  void folderWithSomeoneElsesFilesIsRefusedAndLeftAlone() throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.writeString(home.resolve("thesis.tex"), "years of work");

    Result r = fleetrun("demo", "--dir", home.toString(), "--duration", "1s");

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains(home + " holds files the demo did not write").hasLineCount(1);
    assertThat(home.resolve("thesis.tex")).hasContent("years of work");
    assertThat(home.resolve(DemoFolder.MARKER)).doesNotExist();
  }

  @Test
  void badDurationIsRefusedBeforeTheFolderIsTouched() throws Exception {
    Path old = Files.createDirectories(dir.resolve("old-demo"));
    Files.writeString(old.resolve(DemoFolder.MARKER), "");
    Files.writeString(old.resolve("fleetrun.db"), "kept");

    Result r = fleetrun("demo", "--dir", old.toString(), "--duration", "5x");

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("'5x' is not a duration");
    assertThat(old.resolve("fleetrun.db")).hasContent("kept");
  }

  @Test
  void earlierDemoFolderIsEmptiedAndMarked() throws Exception {
    Path old = Files.createDirectories(dir.resolve("old-demo"));
    Files.writeString(old.resolve(DemoFolder.MARKER), "");
    Files.createDirectories(old.resolve("ssh/keys"));
    Files.writeString(old.resolve("ssh/keys/id"), "x");
    Files.writeString(old.resolve("anything"), "x");

    DemoFolder.prepare(old);

    try (var entries = Files.list(old)) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactly(DemoFolder.MARKER);
    }
  }

  @Test
  void newEmptyAndPreMarkerDemoFoldersAreAccepted() throws Exception {
    Path fresh = dir.resolve("new/demo");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Path preMarker = Files.createDirectories(dir.resolve("pre-marker"));
    Files.createDirectories(preMarker.resolve("ssh"));
    Files.writeString(preMarker.resolve("fleetrun.db"), "x");
    Files.writeString(preMarker.resolve("fleetrun-demo.yaml"), "x");

    for (Path p : new Path[] {fresh, empty, preMarker}) {
      DemoFolder.prepare(p);
      try (var entries = Files.list(p)) {
        assertThat(entries.map(e -> e.getFileName().toString()))
            .as(p.toString())
            .containsExactly(DemoFolder.MARKER);
      }
    }
  }

  @Test
  void aFileIsNotAFolder() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");

    Result r = fleetrun("demo", "--dir", file.toString());

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(file).hasContent("x");
  }

  private record Result(int exit, String err) {}

  private static Result fleetrun(String... args) {
    StringWriter err = new StringWriter();
    int exit =
        Main.commandLine()
            .setOut(new PrintWriter(new StringWriter()))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Result(exit, err.toString().replace(System.lineSeparator(), "\n"));
  }
}
