package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AsyncPermitsTest {
  private final AsyncPermits permits = new AsyncPermits(2);
  private final List<String> granted = new ArrayList<>();

  @Test
  void grantsUpToTheLimitAtOnceAndQueuesTheRestInOrder() {
    permits.acquire(() -> granted.add("a"));
    permits.acquire(() -> granted.add("b"));
    permits.acquire(() -> granted.add("c"));
    permits.acquire(() -> granted.add("d"));
    assertThat(granted).containsExactly("a", "b");
    assertThat(permits.waiting()).isEqualTo(2);

    permits.release();
    assertThat(granted).containsExactly("a", "b", "c");
    permits.release();
    permits.release();
    permits.release();

    assertThat(granted).containsExactly("a", "b", "c", "d");
    assertThat(permits.inUse()).isZero();
  }

  @Test
  void cancelledTicketIsNeverGranted() {
    permits.acquire(() -> granted.add("a"));
    permits.acquire(() -> granted.add("b"));
    AsyncPermits.Ticket c = permits.acquire(() -> granted.add("c"));

    assertThat(permits.cancel(c)).isTrue();
    permits.release();

    assertThat(granted).containsExactly("a", "b");
    assertThat(permits.inUse()).isEqualTo(1);
  }

  @Test
  void grantedTicketCannotBeCancelled() {
    AsyncPermits.Ticket a = permits.acquire(() -> granted.add("a"));

    assertThat(permits.cancel(a)).isFalse();
    assertThat(permits.inUse()).isEqualTo(1);
  }

  @Test
  void releaseWithoutAcquireIsABug() {
    assertThatThrownBy(permits::release).isInstanceOf(IllegalStateException.class);
  }
}
