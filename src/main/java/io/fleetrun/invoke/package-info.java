/**
 * Orchestration: a fire or an ad-hoc run writes its invocation, instances and one record per
 * target in one {@code store} transaction and is answered at once ({@code Invoker}, {@code
 * JobFire}, {@code AdHocRun}); the {@code Dispatcher} hands the records to {@code exec} under
 * each fire's concurrency controls ({@code Flight}), each only once its dispatch mark has
 * committed, and turns sends, starts and ends into {@code store.RecordJournal} events (group
 * commit, statuses included); every end goes through {@code RecordEndWriter}, which logs it
 * once; {@code Stops} stops records (waiting ones at once, running ones through their execution)
 * and follows config changes. No lock is held over SSH or database I/O. May import {@code
 * model}, {@code status}, {@code exec} and {@code store}.
 */
package io.fleetrun.invoke;
