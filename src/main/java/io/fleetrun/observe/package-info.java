/**
 * Observation of the daemon: Prometheus metrics ({@link io.fleetrun.observe.Metrics}, with the
 * official Java client's registry and text format), fed by the engine's run events (it is a
 * {@link io.fleetrun.invoke.RunEvents} subscriber of the engine's {@code EventFeed}), by the
 * timing callbacks the daemon wires to SSH connects and journal commits, and by read-only gauges
 * the daemon gives it as suppliers ({@link io.fleetrun.observe.Gauges}). Webhook notifications
 * are to come here the same way: one more subscriber of the feed. May import {@code model} and
 * the {@code invoke} event types ({@code RunEvent}, {@code RunEvents}) only.
 */
package io.fleetrun.observe;
