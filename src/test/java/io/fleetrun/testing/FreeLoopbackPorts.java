package io.fleetrun.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Finds TCP ports that are free on 127.0.0.1 by binding and closing. Another process may still
 * take a port before sshd binds it; {@link SshdInstance} detects that and retries with new ones.
 */
final class FreeLoopbackPorts {
  private static final int SSH_PORT = 22;

  private FreeLoopbackPorts() {}

  /** {@code count} distinct free ports, none of them 22 and none in {@code avoid}. */
  static List<Integer> pick(int count, Collection<Integer> avoid) {
    List<ServerSocket> held = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    try {
      // All sockets stay open until every port is picked, so the kernel never hands one out twice.
      for (int tries = 0; ports.size() < count; tries++) {
        if (tries > count + 1000) {
          throw new IllegalStateException("no " + count + " free loopback ports found");
        }
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(socket);
        int port = socket.getLocalPort();
        if (port != SSH_PORT && !avoid.contains(port)) {
          ports.add(port);
        }
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find free loopback ports", e);
    } finally {
      for (ServerSocket socket : held) {
        try {
          socket.close();
        } catch (IOException e) {
          // closing a listening socket that accepted nothing does not fail in practice
        }
      }
    }
  }
}
