package io.fleetrun.store;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.Output;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Test data: new invocations and record ends. */
final class Invocations {
  static final Instant T0 = Instant.parse("2026-11-28T07:10:03.123Z");

  private Invocations() {}

  static NewInvocation once(String id, Optional<String> job, Instant at, String... instances) {
    return new NewInvocation(new InvokeId(id), job.map(JobId::new), new CommandId("uptime"),
        "uptime {{flag}}", Map.of("flag", "-p"), RepeatMode.Once, Optional.empty(),
        instanceIds(instances), at);
  }

  static NewInvocation periodic(String id, String job, Instant at, String... instances) {
    return new NewInvocation(new InvokeId(id), Optional.of(new JobId(job)),
        new CommandId("df"), "df -h", Map.of(), RepeatMode.Period,
        Optional.of(new Frequency.Rate(Duration.ofSeconds(30))), instanceIds(instances), at);
  }

  static List<InstanceId> instanceIds(String... ids) {
    return Arrays.stream(ids).map(InstanceId::new).toList();
  }

  /** How a record of {@code status} typically ends. */
  static RecordEnd end(RecordStatus status, Instant at) {
    return switch (status) {
      case Finished -> new RecordEnd(status, DetailStatus.Success, Optional.of(0),
          Optional.empty(), Optional.empty(), new Output("ok\n", 0), at);
      case Failed -> new RecordEnd(status, DetailStatus.Timeout, Optional.empty(),
          Optional.of(ErrorCode.ExecutionTimeout), Optional.of("timed out after 60s"),
          new Output("partial\n", 12), at);
      case Stopped -> new RecordEnd(status, DetailStatus.Cancelled, Optional.empty(),
          Optional.empty(), Optional.empty(), Output.EMPTY, at);
      case Running -> throw new IllegalArgumentException("a record cannot end Running");
    };
  }
}
