package io.fleetrun.exec;

/** Starts scripts on instances. Thread-safe; one per daemon. */
public interface RemoteExecutor extends AutoCloseable {

  /**
   * Starts {@code request} and returns at once; connecting, running and waiting happen
   * asynchronously. Never throws for a problem of the target: that becomes the outcome.
   */
  Execution start(ExecutionRequest request);

  /** Ends every execution still running (as by {@link Execution#stop()}) and releases the client. */
  @Override
  void close();
}
