/**
 * Orchestration: a fire or an ad-hoc run writes its invocation, instances and one record per
 * target in one {@code store} transaction and is answered at once ({@code Invoker}, {@code
 * JobFire}, {@code AdHocRun}); the {@code Dispatcher} hands the records to {@code exec} under
 * each fire's concurrency controls ({@code Flight}), each only once its dispatch mark has
 * committed, and turns sends, starts and ends into {@code store.RecordJournal} events (group
 * commit, statuses included); every end goes through {@code RecordEndWriter}, which logs it
 * once; {@code Stops} stops records (waiting ones at once, running ones through their execution)
 * and follows config changes. No lock is held over SSH or database I/O.
 *
 * <p>What the engine commits is published as {@code RunEvent}s (record started, record ended,
 * invocation status changed; an end the database refused is none) to an {@code EventFeed}: each
 * {@code RunEvents} subscriber has its own bounded queue and thread, so a slow or stuck subscriber
 * never delays a run, a record write or another subscriber; what it misses is counted as dropped.
 * The metrics and the webhooks ({@code observe}) subscribe (a webhook sender queues its own
 * deliveries and retries); the HTTP event stream is meant to subscribe the same way (fanning each
 * event out to its connected clients and dropping a client that falls behind), seeing only these
 * event types. May import {@code model}, {@code status}, {@code exec} and {@code
 * store}.
 */
package io.fleetrun.invoke;
