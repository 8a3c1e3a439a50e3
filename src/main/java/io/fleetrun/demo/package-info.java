/**
 * {@code fleetrun demo}: an embedded SSH server (MINA SSHD, loopback only, a real /bin/sh behind
 * it) and a daemon with a demo config, so a new user sees real invocations land in SQLite within
 * seconds. May import everything.
 */
package io.fleetrun.demo;
