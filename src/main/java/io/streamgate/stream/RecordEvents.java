package io.streamgate.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The record contract: how a Kafka record becomes an event. Key = tenant id; header {@code subject} (or
 * a JSON pointer into the value) = subject; optional headers {@code id}, {@code event} and {@code from};
 * value = JSON. Shared by live fan-out and replay, so both decode a record the same way. The subject is
 * read apart from the rest because fan-out decides from it alone whether anyone here wants the record.
 */
public final class RecordEvents {

    public static final String SUBJECT_HEADER = "subject";
    public static final String ID_HEADER = "id";
    public static final String EVENT_HEADER = "event";
    public static final String FROM_HEADER = "from";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RecordEvents() {
    }

    /**
     * The partition that holds a tenant's records: the one Kafka's default partitioner picks for a record
     * keyed by the tenant id (murmur2 of the key bytes, as every Kafka client computes it).
     */
    public static int partitionOf(String tenant, Epoch epoch) {
        return Utils.toPositive(Utils.murmur2(tenant.getBytes(StandardCharsets.UTF_8))) % epoch.partitions();
    }

    /** The last value of a header as UTF-8 text, or null. */
    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The record's subject, or null when it has none. Parses the value only for pointer namespaces. */
    public static String subject(Namespace namespace, ConsumerRecord<String, byte[]> record) {
        if (namespace.subjectFromHeader()) {
            return header(record, SUBJECT_HEADER);
        }
        if (record.value() == null) {
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(record.value()).at(namespace.subjectPointer().get());
            return node.isTextual() || node.isNumber() ? node.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The record as an event of this concrete channel; reads its optional headers, once. */
    public static StreamEvent event(ChannelName channel, Epoch epoch, ConsumerRecord<String, byte[]> record) {
        return new StreamEvent(channel, new Cursor(epoch, record.partition(), record.offset()), record.timestamp(),
                header(record, ID_HEADER), header(record, EVENT_HEADER), header(record, FROM_HEADER), record.value());
    }
}
