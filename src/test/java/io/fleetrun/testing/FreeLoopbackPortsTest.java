package io.fleetrun.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreeLoopbackPortsTest {
  @Test
  void picksDistinctBindablePortsOtherThanSshAndTheAvoidedOnes() throws IOException {
    List<Integer> first = FreeLoopbackPorts.pick(20, List.of());
    List<Integer> second = FreeLoopbackPorts.pick(20, first);

    assertThat(first).hasSize(20).doesNotHaveDuplicates().doesNotContain(22);
    assertThat(second).hasSize(20).doesNotHaveDuplicates().doesNotContainAnyElementsOf(first);
    for (int port : second) {
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertThat(socket.getLocalPort()).isEqualTo(port);
      }
    }
  }
}
