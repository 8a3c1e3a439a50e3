package io.fleetrun.store;

import java.time.Instant;

/** Who a running daemon is, as written in its heartbeat row. */
public record DaemonInfo(
    String nodeId, long pid, String host, String version, String configFile, Instant startedAt) {}
