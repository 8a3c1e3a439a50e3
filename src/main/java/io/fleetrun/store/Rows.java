package io.fleetrun.store;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.Output;
import io.fleetrun.model.RecordId;
import io.fleetrun.store.jooq.tables.records.InvocationRecordRow;
import io.fleetrun.store.jooq.tables.records.InvocationRow;
import java.util.Optional;

/** Maps generated rows to model records, so generated types never leave this package. */
final class Rows {
  private Rows() {}

  static Invocation invocation(InvocationRow row) {
    return new Invocation(
        new InvokeId(row.getInvokeId()),
        Optional.ofNullable(row.getJobId()).map(JobId::new),
        new CommandId(row.getCommandId()),
        row.getRepeatMode(),
        Optional.ofNullable(row.getFrequency()).map(Frequency::parse),
        row.getStatus(),
        row.getCreatedAt(),
        Optional.ofNullable(row.getFinishedAt()),
        Optional.ofNullable(row.getStoppedAt()));
  }

  static InvocationRecord record(InvocationRecordRow row) {
    return new InvocationRecord(
        new RecordId(row.getRecordId()),
        new InvokeId(row.getInvokeId()),
        new InstanceId(row.getInstanceId()),
        row.getRepeatNo(),
        row.getStatus(),
        row.getDetailStatus(),
        Optional.ofNullable(row.getExitCode()),
        Optional.ofNullable(row.getErrorCode()),
        Optional.ofNullable(row.getErrorInfo()),
        new Output(row.getOutput(), row.getDropped()),
        row.getScheduledAt(),
        Optional.ofNullable(row.getStartTime()),
        Optional.ofNullable(row.getFinishTime()),
        Optional.ofNullable(row.getStopTime()));
  }
}
