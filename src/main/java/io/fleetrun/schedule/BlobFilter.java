package io.fleetrun.schedule;

import java.io.ObjectInputFilter;
import java.util.Optional;

/**
 * The deserialization filter of one Quartz blob: admits the classes of a {@code JobDataMap} of
 * strings and boxed numbers (what Quartz would write for job data if {@code useProperties} were
 * off) and nothing else, within small graph limits. No trigger or calendar class is admitted:
 * fleetrun stores neither as a blob (see {@link SqliteDelegate}). One instance per stream: it
 * remembers what it refused, for the error message.
 */
final class BlobFilter implements ObjectInputFilter {
  /**
   * Superclasses are checked too (their descriptors are in the stream), hence DirtyFlagMap and
   * Number. HashMap checks its table as an array of Map.Entry (an interface: no object of it is
   * read). {@code !*} rejects everything not listed, including every other array of objects.
   */
  static final String PATTERN =
      "maxdepth=16;maxrefs=10000;maxarray=10000;maxbytes=1048576;"
          + "org.quartz.JobDataMap;org.quartz.utils.StringKeyDirtyFlagMap;"
          + "org.quartz.utils.DirtyFlagMap;java.util.HashMap;java.util.Map$Entry;java.lang.String;"
          + "java.lang.Boolean;java.lang.Character;java.lang.Number;java.lang.Byte;"
          + "java.lang.Short;java.lang.Integer;java.lang.Long;java.lang.Float;java.lang.Double;"
          + "java.util.Date;!*";

  private static final ObjectInputFilter ALLOWED = ObjectInputFilter.Config.createFilter(PATTERN);

  private String refusal;

  @Override
  public Status checkInput(FilterInfo info) {
    Status status = ALLOWED.checkInput(info);
    if (status == Status.REJECTED && refusal == null) {
      refusal =
          info.serialClass() != null
              ? "class " + info.serialClass().getName()
              : "a graph over the limits (depth %d, references %d, array length %d, %d bytes)"
                  .formatted(info.depth(), info.references(), info.arrayLength(), info.streamBytes());
    }
    return status;
  }

  /** What was refused first, if anything. */
  Optional<String> refusal() {
    return Optional.ofNullable(refusal);
  }
}
