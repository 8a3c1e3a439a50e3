/**
 * Reads the YAML config an operator edits into validated domain records, reporting every problem
 * at once with file, line and key. Defaults live here. May import {@code model} only.
 */
package io.fleetrun.config;
