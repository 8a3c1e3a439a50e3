package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.INVOCATION;
import static io.fleetrun.store.jooq.Tables.INVOCATION_INSTANCE;
import static io.fleetrun.store.jooq.Tables.INVOCATION_RECORD;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordStatus;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.impl.DSL;

/** {@link InvocationQueries} over jOOQ: plain reads, no transaction, so they never wait on a writer. */
public final class JooqInvocationQueries implements InvocationQueries {
  private final Database db;

  public JooqInvocationQueries(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  public List<InvocationSummary> listInvocations(InvocationFilter filter) {
    List<Condition> where = new ArrayList<>();
    filter.status().ifPresent(s -> where.add(INVOCATION.STATUS.eq(s)));
    filter.job().ifPresent(j -> where.add(INVOCATION.JOB_ID.eq(j.value())));
    filter.since().ifPresent(t -> where.add(INVOCATION.CREATED_AT.ge(t)));
    List<Invocation> invocations = db.dsl()
        .selectFrom(INVOCATION)
        .where(where)
        .orderBy(INVOCATION.CREATED_AT.desc(), INVOCATION.INVOKE_ID.desc())
        .limit(filter.limit())
        .fetch(Rows::invocation);
    Map<String, Map<RecordStatus, Integer>> counts = instanceCounts(invocations);
    return invocations.stream()
        .map(i -> new InvocationSummary(i, counts.get(i.id().value())))
        .toList();
  }

  /** Per invocation, how many instances are in each status (zero included). */
  private Map<String, Map<RecordStatus, Integer>> instanceCounts(List<Invocation> invocations) {
    Map<String, Map<RecordStatus, Integer>> counts = new HashMap<>();
    for (Invocation i : invocations) {
      Map<RecordStatus, Integer> zero = new EnumMap<>(RecordStatus.class);
      for (RecordStatus s : RecordStatus.values()) {
        zero.put(s, 0);
      }
      counts.put(i.id().value(), zero);
    }
    if (invocations.isEmpty()) {
      return counts;
    }
    db.dsl()
        .select(INVOCATION_INSTANCE.INVOKE_ID, INVOCATION_INSTANCE.STATUS, DSL.count())
        .from(INVOCATION_INSTANCE)
        .where(INVOCATION_INSTANCE.INVOKE_ID.in(counts.keySet()))
        .groupBy(INVOCATION_INSTANCE.INVOKE_ID, INVOCATION_INSTANCE.STATUS)
        .forEach(r -> counts.get(r.value1()).put(r.value2(), r.value3()));
    return counts;
  }

  @Override
  public Optional<Invocation> findInvocation(InvokeId id) {
    return db.dsl()
        .selectFrom(INVOCATION)
        .where(INVOCATION.INVOKE_ID.eq(id.value()))
        .fetchOptional()
        .map(Rows::invocation);
  }

  @Override
  public List<InvocationRecord> listRecords(InvokeId id, Optional<InstanceId> instance) {
    Condition where = INVOCATION_RECORD.INVOKE_ID.eq(id.value());
    if (instance.isPresent()) {
      where = where.and(INVOCATION_RECORD.INSTANCE_ID.eq(instance.get().value()));
    }
    return db.dsl()
        .selectFrom(INVOCATION_RECORD)
        .where(where)
        .orderBy(INVOCATION_RECORD.INSTANCE_ID, INVOCATION_RECORD.REPEAT_NO)
        .fetch(Rows::record);
  }
}
