package io.fleetrun.invoke;

import io.fleetrun.model.Command;
import io.fleetrun.model.DurationText;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Job;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A fingerprint of everything that defines what a job does: the job's targets, schedule, misfire
 * and overlap policies and parameters, and its command. Equal exactly when the definitions are
 * equal, in any JVM.
 */
public final class JobSpec {
  private JobSpec() {}

  /** The fingerprint: 32 hex characters. */
  public static String of(Job job, Command command) {
    String canonical = String.join("\n",
        job.id().value(),
        job.repeat().name(),
        job.frequency().map(Frequency::text).orElse(""),
        new TreeSet<>(job.targets().instances().stream().map(InstanceId::value).toList()).toString(),
        new TreeSet<>(job.targets().tags()).toString(),
        sorted(job.parameters()),
        job.misfire().configName(),
        job.overlap().configName(),
        command.id().value(),
        command.content(),
        command.workingDir().orElse(""),
        DurationText.format(command.timeout()),
        sorted(command.parameters()))
        // Only when declared, so the fingerprints of jobs stored before rules existed still match.
        + (command.rules().isEmpty() ? "" : "\n" + new TreeMap<>(command.rules()));
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static String sorted(Map<String, String> values) {
    return new TreeMap<>(values).toString();
  }
}
