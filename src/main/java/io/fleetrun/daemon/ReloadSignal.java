package io.fleetrun.daemon;

import sun.misc.Signal;

/**
 * SIGHUP reloads the config, the Unix convention for daemons ({@code systemctl reload} sends it
 * with {@code ExecReload=/bin/kill -HUP $MAINPID}). Without this handler the JVM would exit on
 * SIGHUP.
 */
final class ReloadSignal {
  private ReloadSignal() {}

  /** From now on SIGHUP runs {@code reload} (on the JVM's signal thread; it may block). */
  static void install(Runnable reload) {
    // The JVM's signal threads have no context class loader, and Quartz's JDBC job store builds
    // a proxy through it: without the installer's loader a reload fails there.
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    Signal.handle(new Signal("HUP"), s -> {
      Thread.currentThread().setContextClassLoader(loader);
      reload.run();
    });
  }
}
