package io.fleetrun.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo's config file: three instances on the embedded server, three jobs, and the HTTP API on
 * loopback with a reader token (for curl) and an operator token (for the web console, where it
 * can stop runs).
 */
final class DemoConfig {
  private DemoConfig() {}

  static Path write(Path dir, Path db, EmbeddedSshServer server, int httpPort, Path token, Path operatorToken)
      throws IOException {
    Path file = dir.resolve("fleetrun-demo.yaml");
    Files.writeString(file, """
        # Written by `fleetrun demo`: an ordinary config file, pointed at an embedded SSH server.
        database: { url: "jdbc:sqlite:%s" }
        http:
          listen: "127.0.0.1:%d"
          tokens:
            - { name: demo, role: reader, file: %s }
            - { name: console, role: operator, file: %s }
        ssh: { user: %s, identityFile: %s, knownHosts: %s, hostKeyPolicy: strict, connectTimeout: 5s }
        limits: { maxSessions: 50, outputBytes: 24576 }
        instances:
          - { id: demo-1, host: 127.0.0.1, port: %d, tags: [demo] }
          - { id: demo-2, host: 127.0.0.1, port: %d, tags: [demo] }
          - { id: demo-3, host: 127.0.0.1, port: %d, tags: [demo, slow] }
        commands:
          - id: hello
            content: "id={{fleetrun.instanceId}}; who={{who}}; echo \\"hello from $id, $who\\"; uname -sr"
            timeout: 10s
            parameters: { who: operator }
          - id: sometimes-slow
            content: "if [ {{fleetrun.instanceId}} = demo-3 ]; then sleep 30; fi; echo done"
            timeout: 3s
          - id: tick
            content: "date -u +%%H:%%M:%%S; cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true"
            timeout: 4s
        jobs:
          - { id: hello, command: hello, targets: { tags: [demo] }, repeat: Once }
          - { id: partial, command: sometimes-slow, targets: { tags: [demo] }, repeat: Once }
          - { id: tick, command: tick, targets: { instances: [demo-1] }, repeat: Period, frequency: "rate(5s)" }
        """.formatted(db, httpPort, token, operatorToken, System.getProperty("user.name"), server.clientKey(), server.knownHosts(),
            server.port(), server.port(), server.port()));
    return file;
  }
}
