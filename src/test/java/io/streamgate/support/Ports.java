package io.streamgate.support;

import java.io.BufferedReader;
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

    /**
     * A port outside the ephemeral range that nothing listens on now: below it, or above it where the range
     * starts too low to leave room (a machine tuned for many outgoing connections, "1024 65535"), or, where
     * the range covers every port, one the kernel picks.
     */
    public static int unused() {
        int[] range = ephemeralRange();
        int from;
        int to;
        if (range[0] - LOWEST >= 1000) {
            from = LOWEST;
            to = range[0];
        } else if (65_535 - range[1] >= 1000) {
            from = range[1] + 1;
            to = 65_536;
        } else {
            return kernelPicked();
        }
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(from, to);
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress("localhost", port));
                return port;
            } catch (IOException taken) {
                // listened on by someone else: pick another
            }
        }
        throw new IllegalStateException("no unused port between " + from + " and " + to);
    }

    private static int kernelPicked() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The kernel's ephemeral port range, first and last. */
    private static int[] ephemeralRange() {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        try {
            if (!Files.exists(range)) {
                return new int[] {32768, 60999};
            }
            // A reader, not Files.readString: on JDK 17 here, readString returned one character of this procfs file.
            String line;
            try (BufferedReader reader = Files.newBufferedReader(range)) {
                line = reader.readLine();
            }
            String[] bounds = line.trim().split("\\s+");
            return new int[] {Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1])};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
