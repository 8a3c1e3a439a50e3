/**
 * Observation of the daemon: Prometheus metrics ({@link io.fleetrun.observe.Metrics}, with the
 * official Java client's registry and text format), fed by the engine's run events (it is a
 * {@link io.fleetrun.invoke.RunEvents} subscriber of the engine's {@code EventFeed}), by the
 * timing callbacks the daemon wires to SSH connects and journal commits, and by read-only gauges
 * the daemon gives it as suppliers ({@link io.fleetrun.observe.Gauges}); and webhook
 * notifications ({@link io.fleetrun.observe.Webhooks}), one more subscriber of the feed, with a
 * bounded queue and a thread per hook ({@code WebhookSender}), signed JSON bodies ({@code
 * WebhookBody}) and retries timed by {@link io.fleetrun.observe.WebhookSettings}; what a body
 * needs from the database comes through {@link io.fleetrun.observe.InvocationReader}, which the
 * daemon implements. May import {@code model} and the {@code invoke} event types ({@code
 * RunEvent}, {@code RunEvents}) only.
 */
package io.fleetrun.observe;
