package io.fleetrun.exec;

import io.fleetrun.exec.ConnectFailures.Failure;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.Instance;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kept SSH connections: one authenticated connection per {@link PoolKey}, shared by up to
 * {@link #runsPerConnection} runs at once (each run counts for two channels: its own and its
 * kill's), closed after {@code keepAlive} without runs. More runs open a second connection. Every
 * connection holds a session permit ({@code limits.maxSessions}) while open or opening, so when
 * the bound is reached an idle connection is closed to make room. With a zero {@code keepAlive}
 * every run gets its own connection, closed when the run lets it go. A connection that {@link
 * KeptConnectionRules} finds too old, no longer trusted by known_hosts or connected to an address
 * its host name no longer resolves to takes no new run and closes once its runs end; one idle
 * past its lifetime closes at once when a run comes (any run: its permit is free for others).
 *
 * <p>Nothing here holds a thread: a run waiting for a connection is a {@link Lease} in a list,
 * and opening goes through {@link SessionOpener}. State changes under this object's lock; MINA
 * calls and listener calls happen outside it.
 */
final class ConnectionPool {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionPool.class);

  /** Where a lease's connection goes; called on MINA or fleetrun threads, never under a lock. */
  interface Listener {
    void granted(Lease lease);

    void failed(Failure failure);
  }

  /** One run's place on a connection; {@link #release} gives it back, once. */
  final class Lease {
    private final Conn conn;
    private final Listener listener;
    // Guarded by the pool.
    private boolean delivered;
    private boolean released;
    private boolean reused;

    private Lease(Conn conn, Listener listener) {
      this.conn = conn;
      this.listener = listener;
    }

    /** The connection; only after {@link Listener#granted}. */
    ClientSession session() {
      synchronized (ConnectionPool.this) {
        return conn.session;
      }
    }

    /** True when the connection carried an earlier run (it may have died since unnoticed). */
    boolean reused() {
      synchronized (ConnectionPool.this) {
        return reused;
      }
    }

    /** Gives the place back (or withdraws the wait for it); the connection may go idle. */
    void release() {
      ConnectionPool.this.release(this, false);
    }

    /** Like {@link #release}, and no run gets this connection any more: it looks broken. */
    void discard() {
      ConnectionPool.this.release(this, true);
    }
  }

  /** One connection, opening or open. */
  private static final class Conn {
    final PoolKey key;
    /** When it started opening: its age counts from here. */
    final Instant opened;
    /** The known_hosts stamp its host key was last found trusted under. */
    Object hostKeys;
    Optional<InetAddress> peer = Optional.empty();
    SessionOpener opener;
    ClientSession session;
    final List<Lease> waiting = new ArrayList<>();
    int leases;
    boolean carried;
    boolean retired;
    ScheduledFuture<?> idleClose;

    Conn(PoolKey key, Instant opened, Object hostKeys) {
      this.key = key;
      this.opened = opened;
      this.hostKeys = hostKeys;
    }
  }

  private final ExecRuntime rt;
  private final Duration keepAlive;
  private final int runsPerConnection;
  private final int maxConnections;
  private final KeptConnectionRules rules;
  // Guarded by this.
  private final Map<PoolKey, List<Conn>> conns = new HashMap<>();
  private boolean closed;

  /**
   * @param keepAlive idle time before a connection closes; zero: one connection per run
   * @param channelsPerConnection channels a connection carries at once, kill channels included
   * @param maxConnections the session limit, to know when an idle connection must make room
   * @param rules when a kept connection takes no new run any more
   */
  ConnectionPool(ExecRuntime rt, Duration keepAlive, int channelsPerConnection,
      int maxConnections, KeptConnectionRules rules) {
    this.rt = rt;
    this.rules = rules;
    this.keepAlive = keepAlive;
    this.runsPerConnection = Math.max(1, channelsPerConnection / 2);
    this.maxConnections = maxConnections;
  }

  /** Runs one connection carries at once: half its channels, the other half is for kills. */
  int runsPerConnection() {
    return runsPerConnection;
  }

  /**
   * Asks for a place on a connection to {@code instance}: a kept one with room, else a new one.
   * The listener hears exactly once, unless the lease is released first.
   *
   * @param fresh never an existing connection (a retry after a kept one failed)
   * @param addresses what the instance's host name resolves to now, when it was looked up: a
   *     kept connection to another address takes no run
   */
  Lease acquire(String label, Instance instance, String target, boolean fresh,
      Optional<Set<InetAddress>> addresses, Listener listener) {
    PoolKey key = PoolKey.of(instance);
    Object hostKeys = rules.hostKeysNow();
    boolean refuse;
    synchronized (this) {
      refuse = closed; // a retry racing the executor's close
    }
    if (refuse) {
      Lease refused = new Lease(new Conn(key, rules.now(), hostKeys), listener);
      synchronized (this) {
        refused.released = true;
      }
      listener.failed(new Failure(ErrorCode.InternalError, "the SSH executor is closed"));
      return refused;
    }
    boolean reuse = !fresh && !keepAlive.isZero();
    if (reuse) {
      recheckHostKeys(key, hostKeys);
    }
    Instant now = rules.now();
    List<ClientSession> toClose = new ArrayList<>();
    List<SessionOpener> toCancel = new ArrayList<>();
    Lease lease;
    SessionOpener open = null;
    boolean ready;
    synchronized (this) {
      retireExpiredIdleLocked(now, toClose);
      dropChangedLocked(key, toClose, toCancel);
      Conn conn = reuse ? roomyLocked(key, now, hostKeys, addresses, toClose) : null;
      if (conn == null) {
        conn = new Conn(key, now, hostKeys);
        conn.opener = open = new SessionOpener(label, instance, target, rt, opened(conn));
        conns.computeIfAbsent(key, k -> new ArrayList<>()).add(conn);
      }
      lease = new Lease(conn, listener);
      conn.leases++;
      cancelIdleLocked(conn);
      ready = conn.session != null;
      if (ready) {
        lease.delivered = true;
        lease.reused = conn.carried;
        conn.carried = true;
      } else {
        conn.waiting.add(lease);
      }
    }
    toCancel.forEach(SessionOpener::cancel);
    toClose.forEach(s -> s.close(true));
    if (open != null) {
      if (rt.sessions().inUse() >= maxConnections) {
        closeOneIdle();
      }
      open.begin();
    }
    if (ready) {
      listener.granted(lease);
    }
    return lease;
  }

  /** Whether a connection to {@code instance} is open or opening (its host may be looked up). */
  synchronized boolean keeps(Instance instance) {
    return conns.keySet().stream().anyMatch(k -> k.instanceId().equals(instance.id().value()));
  }

  /**
   * Whether known_hosts changed since a kept connection to {@code instance} was found trusted:
   * the next acquire then reads the file to check it again.
   */
  boolean hostKeysChanged(Instance instance) {
    Object now = rules.hostKeysNow();
    synchronized (this) {
      return conns.entrySet().stream()
          .filter(e -> e.getKey().instanceId().equals(instance.id().value()))
          .flatMap(e -> e.getValue().stream())
          .anyMatch(c -> !c.retired && c.session != null && !c.hostKeys.equals(now));
    }
  }

  /** Connections open or opening, for tests. */
  synchronized int connections() {
    return conns.values().stream().mapToInt(List::size).sum();
  }

  /** Runs holding or waiting for a place, for tests. */
  synchronized int leases() {
    return conns.values().stream().flatMap(List::stream).mapToInt(c -> c.leases).sum();
  }

  /**
   * Closes every idle connection now and, from now on, each busy one as its last run lets it go
   * (the executor's close ends those runs first). Idempotent.
   */
  void close() {
    List<ClientSession> idle = new ArrayList<>();
    synchronized (this) {
      closed = true;
      for (List<Conn> list : conns.values()) {
        for (Iterator<Conn> it = list.iterator(); it.hasNext(); ) {
          Conn c = it.next();
          if (c.leases == 0 && c.session != null) {
            cancelIdleLocked(c);
            idle.add(c.session);
            it.remove();
          }
        }
      }
    }
    idle.forEach(s -> s.close(true));
  }

  /**
   * A connection for {@code key} with room for one more run; retires the open ones that may take
   * no new run (closed at once when idle: added to {@code toClose}).
   */
  private Conn roomyLocked(PoolKey key, Instant now, Object hostKeys,
      Optional<Set<InetAddress>> addresses, List<ClientSession> toClose) {
    for (Conn c : List.copyOf(conns.getOrDefault(key, List.of()))) {
      if (c.retired || (c.session != null && !c.session.isOpen())) {
        continue;
      }
      Optional<String> unfit = rules.unfit(c.opened, c.hostKeys, c.peer, now, hostKeys,
          addresses);
      if (unfit.isPresent()) {
        if (c.session != null) { // one still opening serves the runs already waiting for it
          LOG.debug("kept connection to {} takes no new run: {}", key.instanceId(),
              unfit.get());
          c.retired = true;
          if (c.leases == 0) {
            cancelIdleLocked(c);
            removeLocked(c);
            toClose.add(c.session);
          }
        }
      } else if (c.leases < runsPerConnection) {
        return c;
      }
    }
    return null;
  }

  /**
   * known_hosts changed since these connections' host keys were checked: checks them again
   * against it as it is now (outside the lock: it reads the file once per change). One still
   * trusted goes on (an accept-new append for another host changes nothing for it); the others
   * keep their old stamp, so {@link #roomyLocked} retires them.
   */
  private void recheckHostKeys(PoolKey key, Object hostKeys) {
    List<Conn> stale = new ArrayList<>();
    List<ClientSession> sessions = new ArrayList<>();
    synchronized (this) {
      for (Conn c : conns.getOrDefault(key, List.of())) {
        if (!c.retired && c.session != null && !c.hostKeys.equals(hostKeys)) {
          stale.add(c);
          sessions.add(c.session);
        }
      }
    }
    for (int i = 0; i < stale.size(); i++) {
      if (rules.stillTrusted(sessions.get(i))) {
        synchronized (this) {
          stale.get(i).hostKeys = hostKeys;
        }
      }
    }
  }

  /**
   * Closes every idle connection past {@code ssh.connectionLifetime}: it may take no run any more,
   * so it must not hold its session permit (and the target's sshd) until {@code keepAlive}, nor
   * leave a fresh idle connection to be closed for room in its place. Its idle timer closes it at
   * the end of its lifetime too; this catches it first when a run comes.
   */
  private void retireExpiredIdleLocked(Instant now, List<ClientSession> toClose) {
    for (List<Conn> list : List.copyOf(conns.values())) {
      for (Conn c : List.copyOf(list)) {
        if (c.leases == 0 && c.session != null && rules.expired(c.opened, now)) {
          LOG.debug("closing the idle connection to {}: it is older than ssh.connectionLifetime",
              c.key.instanceId());
          c.retired = true;
          cancelIdleLocked(c);
          removeLocked(c);
          toClose.add(c.session);
        }
      }
    }
  }

  /** An instance whose address, user or credentials changed: its old connections go. */
  private void dropChangedLocked(PoolKey key, List<ClientSession> toClose,
      List<SessionOpener> toCancel) {
    for (Iterator<Map.Entry<PoolKey, List<Conn>>> it = conns.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<PoolKey, List<Conn>> entry = it.next();
      if (!entry.getKey().sameInstance(key) || entry.getKey().equals(key)) {
        continue;
      }
      LOG.debug("instance {} changed its connection settings: dropping its kept connections",
          key.instanceId());
      for (Conn c : entry.getValue()) {
        c.retired = true; // busy ones close when their last run lets go
        if (c.leases == 0) {
          cancelIdleLocked(c);
          if (c.session != null) {
            toClose.add(c.session);
          } else {
            toCancel.add(c.opener);
          }
        }
      }
      it.remove();
    }
  }

  private SessionOpener.Listener opened(Conn conn) {
    return new SessionOpener.Listener() {
      @Override
      public void opened(ClientSession session) {
        onOpened(conn, session);
      }

      @Override
      public void failed(Failure failure) {
        List<Lease> waiting;
        synchronized (ConnectionPool.this) {
          removeLocked(conn);
          waiting = List.copyOf(conn.waiting);
          conn.waiting.clear();
          waiting.forEach(l -> l.delivered = true);
        }
        waiting.forEach(l -> l.listener.failed(failure));
      }
    };
  }

  private void onOpened(Conn conn, ClientSession session) {
    List<Lease> waiting;
    boolean unwanted;
    Optional<InetAddress> peer = KeptConnectionRules.peer(session);
    synchronized (this) {
      conn.session = session;
      conn.peer = peer;
      waiting = List.copyOf(conn.waiting);
      conn.waiting.clear();
      waiting.forEach(l -> l.delivered = true);
      conn.carried = !waiting.isEmpty();
      unwanted = conn.leases == 0 && (closed || conn.retired || keepAlive.isZero() || othersWaitLocked());
      if (conn.leases == 0 && !unwanted) {
        scheduleIdleLocked(conn);
      }
      if (unwanted) {
        removeLocked(conn);
      }
    }
    // Closed by the server, by a dead network (heartbeats) or by us: never handed out again.
    session.addCloseFutureListener(f -> {
      synchronized (this) {
        conn.retired = true;
        removeLocked(conn);
        cancelIdleLocked(conn);
      }
    });
    if (unwanted) {
      session.close(true);
    }
    waiting.forEach(l -> l.listener.granted(l));
  }

  private void release(Lease lease, boolean broken) {
    ClientSession close = null;
    SessionOpener cancel = null;
    synchronized (this) {
      if (lease.released) {
        return;
      }
      lease.released = true;
      Conn conn = lease.conn;
      conn.leases--;
      conn.waiting.remove(lease);
      if (broken) {
        conn.retired = true;
        removeLocked(conn);
      }
      if (conn.leases == 0) {
        if (conn.session == null) {
          removeLocked(conn); // nobody waits for it any more
          cancel = conn.opener;
        } else if (conn.retired || closed || keepAlive.isZero() || othersWaitLocked()
            || rules.expired(conn.opened, rules.now())) {
          removeLocked(conn);
          close = conn.session;
        } else {
          scheduleIdleLocked(conn);
        }
      }
    }
    if (cancel != null) {
      cancel.cancel();
    }
    if (close != null) {
      close.close(true); // closing gives the session permit back
    }
  }

  /**
   * Whether connections wait for a session permit: then a connection that goes idle closes at
   * once and gives its permit to them, instead of holding it for {@code keepAlive} while a
   * fan-out wider than {@code limits.maxSessions} waits.
   */
  private boolean othersWaitLocked() {
    return rt.sessions().waiting() > 0;
  }

  /** At the session bound: closes one idle connection so a queued one can open. */
  private void closeOneIdle() {
    ClientSession idle = null;
    synchronized (this) {
      outer:
      for (List<Conn> list : conns.values()) {
        for (Conn c : list) {
          if (c.leases == 0 && c.session != null) {
            cancelIdleLocked(c);
            removeLocked(c);
            idle = c.session;
            break outer;
          }
        }
      }
    }
    if (idle != null) {
      LOG.debug("closing an idle connection to make room under the session limit");
      idle.close(true);
    }
  }

  /** Closes {@code conn} after {@code keepAlive} without runs, or when its lifetime ends first. */
  private void scheduleIdleLocked(Conn conn) {
    cancelIdleLocked(conn);
    Duration left = rules.lifeLeft(conn.opened, rules.now());
    Duration delay = left.compareTo(keepAlive) < 0 ? left : keepAlive;
    try {
      conn.idleClose = rt.timer().schedule(() -> onIdle(conn), delay.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("timer is shut down");
    }
  }

  private void onIdle(Conn conn) {
    ClientSession close;
    synchronized (this) {
      if (conn.leases > 0 || conn.session == null) {
        return; // a run came back just in time
      }
      removeLocked(conn);
      close = conn.session;
    }
    LOG.debug("closing the idle connection to {} (keepAlive {} or ssh.connectionLifetime over)",
        conn.key.instanceId(), keepAlive);
    close.close(true);
  }

  private static void cancelIdleLocked(Conn conn) {
    if (conn.idleClose != null) {
      conn.idleClose.cancel(false);
      conn.idleClose = null;
    }
  }

  private void removeLocked(Conn conn) {
    List<Conn> list = conns.get(conn.key);
    if (list != null && list.remove(conn) && list.isEmpty()) {
      conns.remove(conn.key);
    }
  }
}
