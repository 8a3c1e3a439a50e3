package io.fleetrun.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.shell.ProcessShellFactory;

/**
 * An in-process MINA server for pool tests that counts what a test must see: sessions opened and
 * open now, and every command it ran. Its host key lives in a file, so a restart on the same port
 * is the same server to a client (a "server restarted" case, not a host key change). Accepts any
 * public key; it can refuse the next channel opens, as a server at its MaxSessions does, or
 * refuse every channel beyond a number open at once on one session (MaxSessions itself), or
 * confirm the next channel opens late. It records the most channels one session had at once,
 * counting a channel from its open request (confirmed or not) until it starts to close.
 */
final class CountingSshServer implements AutoCloseable {
  private final Path hostKey;
  private final int maxChannels;
  // New counters per start: a session of the stopped server that reports late counts nowhere.
  private volatile AtomicInteger sessionsOpened = new AtomicInteger();
  private volatile AtomicInteger sessionsOpen = new AtomicInteger();
  private final AtomicInteger refuseChannels = new AtomicInteger();
  private final AtomicInteger delayChannels = new AtomicInteger();
  private volatile Duration openDelay = Duration.ZERO;
  private final Map<Session, Set<Channel>> channels = new ConcurrentHashMap<>();
  private final AtomicInteger mostChannels = new AtomicInteger();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<String> commands = new CopyOnWriteArrayList<>();
  private SshServer server;
  private int port;

  private CountingSshServer(Path hostKey, int maxChannels) {
    this.hostKey = hostKey;
    this.maxChannels = maxChannels;
  }

  static CountingSshServer start(Path dir) throws IOException {
    return start(dir, Integer.MAX_VALUE);
  }

  /** A server that refuses a session's channel open while {@code maxChannels} are open on it. */
  static CountingSshServer start(Path dir, int maxChannels) throws IOException {
    CountingSshServer s = new CountingSshServer(dir.resolve("host_key"), maxChannels);
    s.startOn(0);
    return s;
  }

  private void startOn(int wanted) throws IOException {
    SshServer sshd = SshServer.setUpDefaultServer();
    sshd.setHost("127.0.0.1");
    sshd.setPort(wanted);
    // MINA refuses a channel when more than this many are open already: one less than allowed.
    CoreModuleProperties.MAX_CONCURRENT_CHANNELS.set(sshd,
        maxChannels == Integer.MAX_VALUE ? maxChannels : maxChannels - 1);
    SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(hostKey);
    keys.setAlgorithm(KeyUtils.EC_ALGORITHM); // quick to make, unlike the RSA default
    sshd.setKeyPairProvider(keys);
    sshd.setPublickeyAuthenticator((user, key, session) -> true);
    sshd.setCommandFactory((channel, command) -> {
      commands.add(command);
      return new ProcessShellFactory(command, List.of("/bin/sh", "-c", command))
          .createShell(channel);
    });
    sshd.setChannelFactories(List.of(new ChannelFactory() {
      @Override
      public String getName() {
        return "session";
      }

      @Override
      public Channel createChannel(Session session) {
        // null makes MINA answer the open with a failure: the exec request is never sent.
        if (refuseChannels.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          return null;
        }
        return delayChannels.getAndUpdate(n -> Math.max(0, n - 1)) > 0
            ? new LateChannel(openDelay) : new ChannelSession();
      }
    }));
    sshd.addChannelListener(new ChannelListener() {
      @Override
      public void channelInitialized(Channel channel) {
        Set<Channel> open = channels.computeIfAbsent(channel.getSession(),
            k -> ConcurrentHashMap.newKeySet());
        open.add(channel);
        mostChannels.accumulateAndGet(open.size(), Math::max);
      }

      @Override
      public void channelClosed(Channel channel, Throwable reason) {
        channels.getOrDefault(channel.getSession(), Set.of()).remove(channel);
      }
    });
    AtomicInteger opened = new AtomicInteger();
    AtomicInteger open = new AtomicInteger();
    sshd.addSessionListener(new SessionListener() {
      @Override
      public void sessionCreated(Session session) {
        opened.incrementAndGet();
        open.incrementAndGet();
      }

      @Override
      public void sessionClosed(Session session) {
        open.decrementAndGet();
      }
    });
    sessionsOpened = opened;
    sessionsOpen = open;
    sshd.start();
    server = sshd;
    port = sshd.getPort();
  }

  int port() {
    return port;
  }

  /** Sessions ever opened (connections accepted) since the start or the last restart. */
  int sessionsOpened() {
    return sessionsOpened.get();
  }

  int sessionsOpen() {
    return sessionsOpen.get();
  }

  /** How many commands containing {@code text} this server ran. */
  long ran(String text) {
    return commands.stream().filter(c -> c.contains(text)).count();
  }

  /** The next {@code n} channel opens fail. */
  void refuseChannels(int n) {
    refuseChannels.set(n);
  }

  /** The next {@code n} channel opens are confirmed {@code delay} after they came. */
  void confirmLate(int n, Duration delay) {
    openDelay = delay;
    delayChannels.set(n);
  }

  /** The most channels one session had at once, opens not yet confirmed included. */
  int mostChannelsOnOneSession() {
    return mostChannels.get();
  }

  /** A session channel whose open is confirmed late, as by a server slow to start a process. */
  private final class LateChannel extends ChannelSession {
    private final Duration delay;

    LateChannel(Duration delay) {
      this.delay = delay;
    }

    /** MINA sends the open confirmation when the channel signals its open: later here. */
    @Override
    protected void signalChannelOpenSuccess() {
      timer.schedule(() -> super.signalChannelOpenSuccess(), delay.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /** Stops the server (every session ends abruptly) and starts it again on the same port. */
  void restart() throws IOException {
    server.stop(true);
    startOn(port);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      server.stop(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
