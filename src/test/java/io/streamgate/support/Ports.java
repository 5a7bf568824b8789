package io.streamgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for a child process that must know its port before it starts (a broker that restarts on the same
 * ports, local mode). Not {@code new ServerSocket(0)}: that port comes from the kernel's ephemeral range,
 * which every outgoing connection on the machine draws from too, so on a busy machine another process's
 * client socket can take it between our release and the child's bind. These come from below that range,
 * which the kernel never hands out by itself. Where a child can report its port, bind 0 in the child instead.
 */
public final class Ports {

    private static final int LOWEST = 10_000;

    private Ports() {
    }

    /** A port below the ephemeral range that nothing listens on now. */
    public static int unused() {
        int below = ephemeralRangeStart();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress("localhost", port));
                return port;
            } catch (IOException taken) {
                // listened on by someone else: pick another
            }
        }
        throw new IllegalStateException("no unused port between " + LOWEST + " and " + below);
    }

    private static int ephemeralRangeStart() {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        try {
            return Files.exists(range) ? Integer.parseInt(Files.readString(range).trim().split("\\s+")[0]) : 32768;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
