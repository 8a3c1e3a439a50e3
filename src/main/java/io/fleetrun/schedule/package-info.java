/**
 * Quartz, kept thin: maps each job to a trigger (a pure function), keeps the triggers in the
 * database's QRTZ_ tables in step with the config, and on each fire hands the job id to a
 * {@link io.fleetrun.schedule.JobFirer}. Quartz threads only decide what fires; the fan-out runs
 * elsewhere. Each job's misfire policy is its trigger's misfire instruction; catch-up fires of a
 * short downtime are collapsed into one. May import {@code model} and {@code invoke}.
 */
package io.fleetrun.schedule;
