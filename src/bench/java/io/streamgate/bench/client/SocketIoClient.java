package io.streamgate.bench.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketConnectOptions;

import java.io.IOException;

/**
 * Socket.IO 4 over a plain WebSocket, as socket.io-client does it on its WebSocket transport:
 * <ul>
 *   <li>Engine.IO v4: the server opens with {@code 0{"sid":..}} (not needed here), pings with {@code 2}, the
 *       client answers {@code 3};</li>
 *   <li>Socket.IO: {@code 40} connects to the main namespace (with {@code {"pid":..,"offset":..}} to recover a
 *       session), answered by {@code 40{"sid":..,"pid":..}}; {@code 42["event",...]} is an event,
 *       {@code 42<id>[...]} one that wants an acknowledgement {@code 43<id>[...]}.</li>
 * </ul>
 * With connection state recovery on, the server appends each broadcast's offset as the event's last argument;
 * the client sends its last offset back on reconnect, and the session is recovered when the server answers with
 * the same {@code pid} (the rooms are restored and the missed packets follow).
 */
public final class SocketIoClient extends LoadClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] EVENT = FrameFields.key("42[\"event\"");
    private static final int SUBSCRIBE_ACK_ID = 1;

    private final boolean recovery;
    private String pid;
    private String offset;
    private boolean resuming;

    public SocketIoClient(Fleet fleet, Endpoint endpoint, int index, int channel, String channelName, Delivery delivery,
            Sequences sequences, boolean recovery) {
        super(fleet, endpoint, index, channel, channelName, delivery, sequences);
        this.recovery = recovery;
    }

    @Override
    protected WebSocketConnectOptions upgrade() {
        return new WebSocketConnectOptions().setURI("/socket.io/?EIO=4&transport=websocket");
    }

    /**
     * Connects to the namespace at once rather than after the Engine.IO open packet: the server accepts packets
     * right after the upgrade, and the open packet may be read before Vert.x hands the new WebSocket over.
     */
    @Override
    protected void opened() {
        resuming = recovery && pid != null && offset != null;
        send(resuming ? "40{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}" : "40");
    }

    @Override
    protected void frame(Buffer data, int from, int to) {
        if (FrameFields.startsWith(data, from, to, EVENT)) {
            delivery.wire.increment();
            if (recovery) {
                offset = lastArgument(data, from, to);
            }
            event(data, from, to);
            return;
        }
        String text = data.getString(from, to);
        if (text.equals("2")) {
            send("3");
        } else if (text.startsWith("40")) {
            connected(read(text.substring(2)));
        } else if (text.startsWith("43" + SUBSCRIBE_ACK_ID + "[")) {
            confirmSubscribed();
        } else if (text.startsWith("44")) {
            failSubscribe("connect refused: " + text);
        }
    }

    private void connected(JsonNode reply) {
        String newPid = reply.path("pid").asText(null);
        boolean recovered = resuming && newPid != null && newPid.equals(pid);
        pid = newPid;
        if (recovered) {
            confirmSubscribed(); // rooms restored; the missed packets are (being) sent
            return;
        }
        if (resuming) {
            delivery.unrecovered.increment();
        }
        send("42" + SUBSCRIBE_ACK_ID + "[\"subscribe\",\"" + channelName + "\"]");
    }

    /** The last argument of {@code 42[...,"<offset>"]}: the packet's offset. */
    private static String lastArgument(Buffer data, int from, int to) {
        int end = to - 2; // before '"]'
        int start = end;
        while (start > from && data.getByte(start - 1) != '"') {
            start--;
        }
        return data.getString(start, end, "US-ASCII");
    }

    private static JsonNode read(String json) {
        try {
            return json.isEmpty() ? JSON.createObjectNode() : JSON.readTree(json);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
