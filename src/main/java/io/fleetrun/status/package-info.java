/**
 * The seed's status rules as one pure function: instance and overall invocation statuses from
 * record statuses and the repeat mode. May import {@code model} only.
 */
package io.fleetrun.status;
