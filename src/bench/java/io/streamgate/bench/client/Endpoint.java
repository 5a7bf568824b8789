package io.streamgate.bench.client;

/** Where a server under test listens (always on this machine's loopback). */
public record Endpoint(String host, int port) {
}
