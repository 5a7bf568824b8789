package io.streamgate.bench.stack;

import java.nio.file.Path;

/**
 * How a scenario wants its servers: where their files go, the heartbeat interval (the same for every system),
 * and whether resume must be on (Socket.IO's connection state recovery stores every broadcast packet, so it is
 * switched on only where a scenario resumes; Streamgate always can).
 */
public record ServerOptions(Path runDirectory, long pingMillis, boolean recovery, Tools tools) {
}
