package io.fleetrun.store;

import java.util.Optional;

/** A request as the CLI sees it: empty answer while the daemon has not answered yet. */
public record RequestState(long id, Optional<RequestAnswer> answer) {}
