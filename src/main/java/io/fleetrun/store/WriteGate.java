package io.fleetrun.store;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * One fair turn at a time between this process's SQLite connections (the main one and the
 * control one): a connection is held from checkout to close, and waiters get it in arrival
 * order. SQLite's own busy handler polls with sleeps of up to 100 ms, so a heartbeat behind a
 * journal that writes batch after batch could lose every race; here it waits for one batch.
 */
final class WriteGate {
  private final ReentrantLock lock = new ReentrantLock(true);
  private final long timeoutMillis;

  WriteGate(java.time.Duration timeout) {
    this.timeoutMillis = timeout.toMillis();
  }

  /** {@code source}, whose connections each hold the gate until closed. */
  DataSource guard(DataSource source) {
    return new DataSource() {
      @Override
      public Connection getConnection() throws SQLException {
        return enter(source::getConnection);
      }

      @Override
      public Connection getConnection(String user, String password) throws SQLException {
        return enter(() -> source.getConnection(user, password));
      }

      @Override
      public PrintWriter getLogWriter() throws SQLException {
        return source.getLogWriter();
      }

      @Override
      public void setLogWriter(PrintWriter out) throws SQLException {
        source.setLogWriter(out);
      }

      @Override
      public void setLoginTimeout(int seconds) throws SQLException {
        source.setLoginTimeout(seconds);
      }

      @Override
      public int getLoginTimeout() throws SQLException {
        return source.getLoginTimeout();
      }

      @Override
      public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return source.getParentLogger();
      }

      @Override
      public <T> T unwrap(Class<T> type) throws SQLException {
        return source.unwrap(type);
      }

      @Override
      public boolean isWrapperFor(Class<?> type) throws SQLException {
        return source.isWrapperFor(type);
      }
    };
  }

  private interface Opener {
    Connection open() throws SQLException;
  }

  private Connection enter(Opener opener) throws SQLException {
    try {
      if (!lock.tryLock(timeoutMillis, TimeUnit.MILLISECONDS)) {
        throw new SQLException("no turn on the database within " + timeoutMillis + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for a turn on the database", e);
    }
    Connection connection;
    try {
      connection = opener.open();
    } catch (SQLException | RuntimeException e) {
      lock.unlock();
      throw e;
    }
    boolean[] closed = {false};
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          if (method.getName().equals("close") && method.getParameterCount() == 0) {
            try {
              return method.invoke(connection, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            } finally {
              if (!closed[0]) {
                closed[0] = true;
                lock.unlock();
              }
            }
          }
          try {
            return method.invoke(connection, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
