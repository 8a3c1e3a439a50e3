package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.ErrorCode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.stream.Stream;
import org.apache.sshd.common.SshException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConnectFailuresTest {
  static Stream<Arguments> connectErrors() {
    return Stream.of(
        Arguments.of(new ConnectException("Connection refused"), ErrorCode.ConnectionRefused),
        Arguments.of(new IOException("wrapped", new ConnectException("Connection refused")),
            ErrorCode.ConnectionRefused),
        Arguments.of(new UnresolvedAddressException(), ErrorCode.HostUnreachable),
        Arguments.of(new UnknownHostException("web-9.example"), ErrorCode.HostUnreachable),
        Arguments.of(new NoRouteToHostException("No route to host"), ErrorCode.HostUnreachable),
        Arguments.of(new ConnectException("Network is unreachable"), ErrorCode.HostUnreachable),
        Arguments.of(new SocketTimeoutException("timed out"), ErrorCode.ConnectTimeout),
        Arguments.of(new IOException("Connection reset"), ErrorCode.ConnectionLost));
  }

  @ParameterizedTest
  @MethodSource("connectErrors")
  void connectErrorsMapToCodes(Throwable error, ErrorCode expected) {
    ConnectFailures.Failure failure = ConnectFailures.connect(error, "fleet@web-9:22");

    assertThat(failure.code()).isEqualTo(expected);
    assertThat(failure.info()).contains("web-9");
  }

  @Test
  void missingErrorIsStillAFailure() {
    assertThat(ConnectFailures.connect(null, "fleet@web-9:22").code())
        .isEqualTo(ErrorCode.ConnectionLost);
  }

  @Test
  void exhaustedAuthMethodsAreAuthFailedOtherLoginErrorsConnectionLost() {
    assertThat(ConnectFailures.login(new SshException("No more authentication methods available"),
        "fleet@web-9:22", "fleet").code()).isEqualTo(ErrorCode.AuthFailed);
    assertThat(ConnectFailures.login(new SshException("Session is being closed"),
        "fleet@web-9:22", "fleet").code()).isEqualTo(ErrorCode.ConnectionLost);
  }
}
