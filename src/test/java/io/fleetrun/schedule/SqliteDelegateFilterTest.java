package io.fleetrun.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.MisfirePolicy;
import io.fleetrun.model.OverlapPolicy;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.Targets;
import io.fleetrun.store.Database;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.simpl.CascadingClassLoadHelper;
import org.slf4j.LoggerFactory;

/**
 * The attacker's side of Quartz's blob columns: someone who can write the database puts a
 * serialized object of a class fleetrun never stores into {@code QRTZ_BLOB_TRIGGERS},
 * {@code QRTZ_CALENDARS} or a job's {@code JOB_DATA}, and Quartz reads it back through fleetrun's
 * delegate on a real SQLite file. The object must never be built (its {@code readObject} never
 * runs), and the read must fail with a message naming the table, the row and the class.
 */
class SqliteDelegateFilterTest {
  private static final String MAGIC_HEX = "ACED"; // every Java serialization stream starts so

  @TempDir Path dir;
  private Database db;
  private final String schedName = "filter-" + UUID.randomUUID();

  /** A class whose deserialization is visible: its readObject raises a flag. */
  static final class Tripwire implements Serializable {
    private static final long serialVersionUID = 1L;
    static final AtomicBoolean READ = new AtomicBoolean();

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      READ.set(true);
    }
  }

  /** A comparator that runs when a PriorityQueue is rebuilt during deserialization. */
  static final class TripwireComparator implements Comparator<Object>, Serializable {
    private static final long serialVersionUID = 1L;
    static final AtomicBoolean COMPARED = new AtomicBoolean();

    @Override
    public int compare(Object a, Object b) {
      COMPARED.set(true);
      return 0;
    }
  }

  @BeforeEach
  void open() {
    db = Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db"));
    Tripwire.READ.set(false);
    TripwireComparator.COMPARED.set(false);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aFleetrunSchedulerStoresNoSerializedObject() throws Exception {
    try (FleetScheduler scheduler = new FleetScheduler(db.dataSource(), (job, at) -> {}, schedName)) {
      scheduler.apply(
          List.of(
              job("cron", RepeatMode.Period, "0 0 3 * * ?"),
              job("rate", RepeatMode.Period, "rate(5m)"),
              job("once", RepeatMode.Once, "at(2099-12-01T02:00:00Z)")),
          Instant.now());
    }
    assertThat(count("SELECT COUNT(*) FROM QRTZ_JOB_DETAILS")).isEqualTo(3);
    assertThat(count("SELECT COUNT(*) FROM QRTZ_BLOB_TRIGGERS")).isZero();
    assertThat(count("SELECT COUNT(*) FROM QRTZ_CALENDARS")).isZero();
    assertThat(count("SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_TYPE = 'BLOB'")).isZero();
    for (String table : List.of("QRTZ_JOB_DETAILS", "QRTZ_TRIGGERS")) {
      assertThat(
              count(
                  "SELECT COUNT(*) FROM " + table
                      + " WHERE hex(substr(JOB_DATA, 1, 2)) = '" + MAGIC_HEX + "'"))
          .as("serialized job data in " + table)
          .isZero();
    }
  }

  @Test
  void aBlobTriggerOfAClassFleetrunNeverStoresIsRefusedUnbuilt() throws Exception {
    insertJob("evil", null);
    insertBlobTrigger("evil", serialize(new Tripwire()));
    assertThatThrownBy(this::readAllTriggers)
        .hasMessageContaining("QRTZ_BLOB_TRIGGERS")
        .hasMessageContaining("evil")
        .hasMessageContaining(Tripwire.class.getName());
    assertThat(Tripwire.READ).as("Tripwire.readObject ran").isFalse();
  }

  @Test
  void aPriorityQueueGadgetInABlobTriggerIsRefusedBeforeItsComparatorRuns() throws Exception {
    PriorityQueue<Object> queue = new PriorityQueue<>(new TripwireComparator());
    queue.add("a");
    queue.add("b");
    TripwireComparator.COMPARED.set(false);
    insertJob("gadget", null);
    insertBlobTrigger("gadget", serialize(queue));
    assertThatThrownBy(this::readAllTriggers)
        .hasMessageContaining("QRTZ_BLOB_TRIGGERS")
        .hasMessageContaining("java.util.PriorityQueue");
    assertThat(TripwireComparator.COMPARED).as("the comparator ran").isFalse();
  }

  @Test
  void aCalendarOfAClassFleetrunNeverStoresIsRefusedUnbuilt() throws Exception {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO QRTZ_CALENDARS (SCHED_NAME, CALENDAR_NAME, CALENDAR) VALUES (?,?,?)")) {
      insert.setString(1, schedName);
      insert.setString(2, "holidays");
      insert.setBytes(3, serialize(new Tripwire()));
      insert.executeUpdate();
    }
    SqliteDelegate delegate = delegate(true);
    try (Connection c = db.dataSource().getConnection()) {
      assertThatThrownBy(() -> delegate.selectCalendar(c, "holidays"))
          .hasMessageContaining("QRTZ_CALENDARS")
          .hasMessageContaining("holidays")
          .hasMessageContaining(Tripwire.class.getName());
    }
    assertThat(Tripwire.READ).as("Tripwire.readObject ran").isFalse();
  }

  @Test
  void serializedJobDataIsNeverBuiltWithOrWithoutUseProperties() throws Exception {
    insertJob("data", serialize(new Tripwire()));
    JobKey key = JobKey.jobKey("data", JobTriggers.GROUP);
    try (Connection c = db.dataSource().getConnection()) {
      // What the daemon runs with: job data is read as properties text, never deserialized.
      delegate(true).selectJobDetail(c, key, loadHelper());
      assertThatThrownBy(() -> delegate(false).selectJobDetail(c, key, loadHelper()))
          .hasMessageContaining("QRTZ_JOB_DETAILS")
          .hasMessageContaining("data")
          .hasMessageContaining(Tripwire.class.getName());
    }
    assertThat(Tripwire.READ).as("Tripwire.readObject ran").isFalse();
  }

  @Test
  void jobDataMapsOfStringsStillReadWithoutUseProperties() throws Exception {
    JobDataMap data = new JobDataMap();
    data.put("job", "nightly");
    data.put("count", 3);
    insertJob("plain", serialize(data));
    try (Connection c = db.dataSource().getConnection()) {
      JobDetail detail =
          delegate(false)
              .selectJobDetail(c, JobKey.jobKey("plain", JobTriggers.GROUP), loadHelper());
      assertThat(detail.getJobDataMap().getWrappedMap())
          .containsExactlyInAnyOrderEntriesOf(Map.of("job", "nightly", "count", 3));
    }
  }

  /**
   * Quartz's bulk trigger select, the one that reads {@code BLOB_DATA} in 2.5.2 (also behind
   * {@code selectTriggersForJob} with enhanced statements). Its single-trigger select reads that
   * column from the wrong result set and fails before deserializing, so it proves nothing here.
   */
  private List<?> readAllTriggers() throws Exception {
    try (Connection c = db.dataSource().getConnection()) {
      return delegate(true)
          .getTriggersByJobAndTriggerGroup(
              c, GroupMatcher.anyJobGroup(), GroupMatcher.anyTriggerGroup());
    }
  }

  private SqliteDelegate delegate(boolean useProperties) throws Exception {
    SqliteDelegate delegate = new SqliteDelegate();
    delegate.initialize(
        LoggerFactory.getLogger(SqliteDelegateFilterTest.class),
        "QRTZ_",
        schedName,
        "NON_CLUSTERED",
        loadHelper(),
        useProperties,
        null);
    return delegate;
  }

  private static CascadingClassLoadHelper loadHelper() {
    CascadingClassLoadHelper helper = new CascadingClassLoadHelper();
    helper.initialize();
    return helper;
  }

  private void insertJob(String name, byte[] jobData) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO QRTZ_JOB_DETAILS (SCHED_NAME, JOB_NAME, JOB_GROUP, JOB_CLASS_NAME,"
                    + " IS_DURABLE, IS_NONCONCURRENT, IS_UPDATE_DATA, REQUESTS_RECOVERY, JOB_DATA)"
                    + " VALUES (?,?,?,?,1,1,0,0,?)")) {
      insert.setString(1, schedName);
      insert.setString(2, name);
      insert.setString(3, JobTriggers.GROUP);
      insert.setString(4, FleetScheduler.FireJob.class.getName());
      insert.setBytes(5, jobData);
      insert.executeUpdate();
    }
  }

  private void insertBlobTrigger(String name, byte[] blob) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement trigger =
            c.prepareStatement(
                "INSERT INTO QRTZ_TRIGGERS (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP, JOB_NAME,"
                    + " JOB_GROUP, TRIGGER_STATE, TRIGGER_TYPE, START_TIME, NEXT_FIRE_TIME)"
                    + " VALUES (?,?,?,?,?,'WAITING','BLOB',0,?)");
        PreparedStatement blobRow =
            c.prepareStatement(
                "INSERT INTO QRTZ_BLOB_TRIGGERS (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP,"
                    + " BLOB_DATA) VALUES (?,?,?,?)")) {
      trigger.setString(1, schedName);
      trigger.setString(2, name);
      trigger.setString(3, JobTriggers.GROUP);
      trigger.setString(4, name);
      trigger.setString(5, JobTriggers.GROUP);
      trigger.setLong(6, System.currentTimeMillis() + 3_600_000);
      trigger.executeUpdate();
      blobRow.setString(1, schedName);
      blobRow.setString(2, name);
      blobRow.setString(3, JobTriggers.GROUP);
      blobRow.setBytes(4, blob);
      blobRow.executeUpdate();
    }
  }

  private long count(String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static byte[] serialize(Object o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  private static Job job(String id, RepeatMode repeat, String frequency) {
    return new Job(
        new JobId(id),
        new CommandId("c"),
        new Targets(List.of(), Set.of("t")),
        repeat,
        Optional.of(Frequency.parse(frequency)),
        Map.of(),
        MisfirePolicy.RUN_ONCE,
        OverlapPolicy.SKIP);
  }
}
