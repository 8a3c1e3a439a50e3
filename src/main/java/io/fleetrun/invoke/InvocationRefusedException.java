package io.fleetrun.invoke;

/** A run or stop request that cannot be carried out; the message is meant for the operator. */
public final class InvocationRefusedException extends RuntimeException {
  public InvocationRefusedException(String message) {
    super(message);
  }
}
