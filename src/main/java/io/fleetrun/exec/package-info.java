/**
 * Runs scripts on instances over SSH with Apache MINA SSHD: one client for the daemon, one kept
 * connection per instance shared by its runs ({@link io.fleetrun.exec.ConnectionPool}; one that
 * outlived {@code ssh.connectionLifetime}, that known_hosts no longer trusts or whose host name
 * moved takes no new run: {@link io.fleetrun.exec.KeptConnectionRules}), host keys
 * checked against known_hosts (an unusable file refuses every key), key and password auth, the
 * script in its own process group on the target (so stop and timeout end it and its children,
 * with the same checked kill crash recovery uses: the group's leader must have the start time the
 * wrapper reported or carry the run's marker), output captured into a bounded buffer.
 * Every end of a run is an {@link io.fleetrun.model.ExecutionOutcome}, never an escaping
 * exception. Connect-and-login times go to an {@link io.fleetrun.exec.SshTimings} if one is set. May import {@code model} only; never touches the database.
 */
package io.fleetrun.exec;
