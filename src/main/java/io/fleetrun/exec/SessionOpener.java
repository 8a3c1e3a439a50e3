package io.fleetrun.exec;

import io.fleetrun.exec.ConnectFailures.Failure;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.Instance;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets one authenticated session for one run without holding a thread: waits for a session
 * permit (kept until the session closes) and a handshake permit (kept until login ends), reads
 * the credentials, connects and logs in within the connect timeout. Reports exactly one of
 * {@link Listener#opened} or {@link Listener#failed}, unless {@link #cancel}led first.
 */
final class SessionOpener {
  private static final Logger LOG = LoggerFactory.getLogger(SessionOpener.class);
  static final int HANDSHAKE_FACTOR = 6;
  static final Duration MIN_HANDSHAKE = Duration.ofSeconds(60);

  /** Where the result goes; called on MINA or fleetrun threads, never under a lock. */
  interface Listener {
    /** The caller owns {@code session} now; closing it gives the session permit back. */
    void opened(ClientSession session);

    void failed(Failure failure);
  }

  private enum State { QUEUED, CONNECTING, DONE }

  private final String label;
  private final Instance instance;
  private final String target;
  private final ExecRuntime rt;
  private final Listener listener;
  private final AtomicBoolean sessionPermitReleased = new AtomicBoolean();

  // Guarded by this.
  private State state = State.QUEUED;
  private AsyncPermits.Ticket sessionTicket;
  private AsyncPermits.Ticket handshakeTicket;
  private boolean holdsSession;
  private boolean holdsHandshake;
  private ConnectFuture connectFuture;
  private ClientSession session;
  private ScheduledFuture<?> timeout;
  private boolean extended;
  /** System.nanoTime() when the TCP connect began. */
  private volatile long connectBegan;

  SessionOpener(String label, Instance instance, String target, ExecRuntime rt, Listener listener) {
    this.label = label;
    this.instance = instance;
    this.target = target;
    this.rt = rt;
    this.listener = listener;
  }

  void begin() {
    AsyncPermits.Ticket ticket = rt.sessions().acquire(() -> guard(this::onSessionPermit));
    synchronized (this) {
      if (!holdsSession && state == State.QUEUED) {
        sessionTicket = ticket;
      }
    }
  }

  /** Gives up: withdraws queued permits, drops the connection; no listener call follows. */
  void cancel() {
    end();
  }

  private void onSessionPermit() {
    boolean granted;
    synchronized (this) {
      granted = state == State.QUEUED;
      if (granted) {
        holdsSession = true;
        sessionTicket = null;
        state = State.CONNECTING;
      }
    }
    if (!granted) {
      rt.sessions().release(); // cancelled while the permit was on its way
      return;
    }
    AsyncPermits.Ticket ticket = rt.handshakes().acquire(() -> guard(this::onHandshakePermit));
    synchronized (this) {
      if (!holdsHandshake && state == State.CONNECTING) {
        handshakeTicket = ticket;
      }
    }
  }

  private void onHandshakePermit() {
    boolean granted;
    synchronized (this) {
      granted = state == State.CONNECTING;
      if (granted) {
        holdsHandshake = true;
        handshakeTicket = null;
      }
    }
    if (!granted) {
      rt.handshakes().release();
      return;
    }
    try {
      // Host name lookup and key files may block: not on the thread that released the permit.
      rt.connectStarter().execute(() -> guard(this::connect));
    } catch (RejectedExecutionException e) {
      fail(new Failure(ErrorCode.InternalError, "the SSH executor is closed"));
    }
  }

  private void connect() {
    Credentials.Offer offer;
    try {
      offer = rt.credentials().load(instance);
    } catch (Credentials.UnavailableException e) {
      fail(new Failure(ErrorCode.CredentialUnavailable, e.getMessage()));
      return;
    }
    synchronized (this) {
      if (state != State.CONNECTING) {
        return;
      }
      try {
        timeout = rt.timer().schedule(() -> guard(this::onTimeout),
            rt.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        LOG.debug("{}: timer is shut down", label);
      }
    }
    LOG.debug("{}: connecting to {}", label, target);
    ConnectFuture future;
    try {
      connectBegan = System.nanoTime();
      future = rt.client().connect(instance.user(), instance.host(), instance.port());
    } catch (IOException | RuntimeException e) {
      fail(ConnectFailures.connect(e, target));
      return;
    }
    boolean cancelled;
    synchronized (this) {
      connectFuture = future;
      cancelled = state == State.DONE;
    }
    if (cancelled) {
      future.cancel();
    }
    future.addListener(f -> guard(() -> onConnected(f, offer)));
  }

  /**
   * How long key exchange and login may take in all once the target has answered with its SSH
   * identification: {@link #HANDSHAKE_FACTOR} connect timeouts, at least {@link #MIN_HANDSHAKE}.
   */
  static Duration handshakeBound(Duration connectTimeout) {
    Duration scaled = connectTimeout.multipliedBy(HANDSHAKE_FACTOR);
    return scaled.compareTo(MIN_HANDSHAKE) < 0 ? MIN_HANDSHAKE : scaled;
  }

  /**
   * The connect timeout ran out. A target that has not even sent its SSH identification is
   * unreachable or not an SSH server: ConnectTimeout. One that has is alive and only slow, most
   * often because this machine's CPU is saturated by hundreds of key exchanges (a 1,000-host fan
   * out on 2 cores failed healthy targets so): it gets the rest of {@link #handshakeBound}, so a
   * saturated daemon slows down instead of failing healthy targets.
   */
  private void onTimeout() {
    Duration rest = handshakeBound(rt.connectTimeout()).minus(rt.connectTimeout());
    synchronized (this) {
      if (state != State.CONNECTING) {
        return;
      }
      if (!extended && session != null && session.getServerVersion() != null) {
        extended = true;
        try {
          timeout = rt.timer().schedule(() -> guard(this::onTimeout), rest.toNanos(),
              TimeUnit.NANOSECONDS);
          LOG.debug("{}: {} answered but its SSH login is slow; waiting {} ms more", label,
              target, rest.toMillis());
          return;
        } catch (RejectedExecutionException e) {
          LOG.debug("{}: timer is shut down", label);
        }
      }
    }
    String what = extended
        ? "SSH login with " + target + " not done within "
            + handshakeBound(rt.connectTimeout()).toMillis() + " ms (it answered)"
        : "no SSH session with " + target + " within " + rt.connectTimeout().toMillis() + " ms";
    fail(new Failure(ErrorCode.ConnectTimeout, what));
  }

  private void onConnected(ConnectFuture future, Credentials.Offer offer) throws IOException {
    if (!future.isConnected()) {
      fail(ConnectFailures.connect(future.getException(), target));
      return;
    }
    ClientSession s = future.getClientSession();
    boolean keep;
    synchronized (this) {
      keep = state == State.CONNECTING;
      if (keep) {
        session = s;
      }
    }
    if (!keep) {
      s.close(true);
      return;
    }
    s.addCloseFutureListener(f -> releaseSessionPermit());
    offer.keys().forEach(s::addPublicKeyIdentity);
    offer.password().ifPresent(s::addPasswordIdentity);
    s.auth().addListener(f -> guard(() -> onAuthenticated(s, f)));
  }

  private void onAuthenticated(ClientSession s, AuthFuture future) {
    if (!future.isSuccess()) {
      fail(HostKeyCheck.rejection(s)
          .map(r -> new Failure(r.code(), "host key of " + target + " " + r.detail()))
          .orElseGet(() -> ConnectFailures.login(future.getException(), target, instance.user())));
      return;
    }
    boolean delivered;
    synchronized (this) {
      delivered = state == State.CONNECTING;
      if (delivered) {
        state = State.DONE;
        session = null; // the listener owns it now
      }
    }
    if (delivered) {
      report(Duration.ofNanos(System.nanoTime() - connectBegan));
      cancelTimeoutAndReleaseHandshake();
      listener.opened(s);
    }
  }

  private void report(Duration took) {
    try {
      rt.timings().get().connected(took);
    } catch (RuntimeException e) {
      LOG.warn("{}: the connect time listener failed", label, e);
    }
  }

  private void fail(Failure failure) {
    if (end()) {
      listener.failed(failure);
    }
  }

  /** Moves to DONE and lets go of everything held; false if already DONE. */
  private boolean end() {
    ClientSession s;
    ConnectFuture connecting;
    AsyncPermits.Ticket queuedSession;
    AsyncPermits.Ticket queuedHandshake;
    boolean releaseSession;
    synchronized (this) {
      if (state == State.DONE) {
        return false;
      }
      state = State.DONE;
      s = session;
      connecting = connectFuture;
      queuedSession = sessionTicket;
      queuedHandshake = handshakeTicket;
      releaseSession = holdsSession && session == null;
    }
    // A ticket that cannot be withdrawn is being granted: its callback sees DONE and releases.
    if (queuedSession != null) {
      rt.sessions().cancel(queuedSession);
    }
    if (queuedHandshake != null) {
      rt.handshakes().cancel(queuedHandshake);
    }
    cancelTimeoutAndReleaseHandshake();
    if (s != null) {
      s.close(true); // its close listener gives the session permit back
    } else if (connecting != null) {
      connecting.cancel();
    }
    if (releaseSession) {
      releaseSessionPermit();
    }
    return true;
  }

  private void cancelTimeoutAndReleaseHandshake() {
    boolean held;
    ScheduledFuture<?> timer;
    synchronized (this) {
      held = holdsHandshake;
      holdsHandshake = false;
      timer = timeout;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    if (held) {
      rt.handshakes().release();
    }
  }

  private void releaseSessionPermit() {
    if (sessionPermitReleased.compareAndSet(false, true)) {
      rt.sessions().release();
    }
  }

  private void guard(ThrowingRunnable step) {
    try {
      step.run();
    } catch (Exception | Error e) {
      LOG.warn("{}: unexpected error while connecting to {}", label, target, e);
      fail(new Failure(ErrorCode.InternalError, ConnectFailures.describe(e)));
    }
  }

  /** A step that may throw; {@link #guard} turns what it throws into a failure. */
  interface ThrowingRunnable {
    void run() throws Exception;
  }
}
