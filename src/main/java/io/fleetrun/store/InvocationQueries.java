package io.fleetrun.store;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvokeId;
import java.util.List;
import java.util.Optional;

/** The reads behind the CLI. */
public interface InvocationQueries {

  List<InvocationSummary> listInvocations(InvocationFilter filter);

  Optional<Invocation> findInvocation(InvokeId id);

  /** Records of {@code id} (of one instance when given), by instance then repeat number. */
  List<InvocationRecord> listRecords(InvokeId id, Optional<InstanceId> instance);
}
