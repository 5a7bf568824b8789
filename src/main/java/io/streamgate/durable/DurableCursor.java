package io.streamgate.durable;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.streamgate.stream.Cursor;
import io.streamgate.stream.Epoch;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * A row of {@code streamgate_cursor} (schema in db/migration): the last cursor one client of one subject
 * acknowledged on one channel. Read with Panache; written only by {@link DurableCursorStore}'s batched
 * upsert, which never moves a position backwards.
 */
@Entity
@Table(name = "streamgate_cursor")
@IdClass(DurableCursor.Key.class)
public class DurableCursor extends PanacheEntityBase {

    @Id
    public String tenant;
    @Id
    public String subject;
    @Id
    @Column(name = "client_id")
    public String clientId;
    @Id
    public String channel;
    @Column(name = "topic_id")
    public String topicId;
    public int partitions;
    @Column(name = "kafka_partition")
    public int kafkaPartition;
    @Column(name = "kafka_offset")
    public long kafkaOffset;
    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    public Cursor cursor() {
        return new Cursor(new Epoch(topicId, partitions), kafkaPartition, kafkaOffset);
    }

    /** Whose position on which channel: the primary key. */
    public static class Key implements Serializable {
        public String tenant;
        public String subject;
        public String clientId;
        public String channel;

        public Key() {
        }

        public Key(String tenant, String subject, String clientId, String channel) {
            this.tenant = tenant;
            this.subject = subject;
            this.clientId = clientId;
            this.channel = channel;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && tenant.equals(k.tenant) && subject.equals(k.subject)
                    && clientId.equals(k.clientId) && channel.equals(k.channel);
        }

        @Override
        public int hashCode() {
            return Objects.hash(tenant, subject, clientId, channel);
        }

        @Override
        public String toString() {
            return tenant + "/" + subject + "/" + clientId + "/" + channel;
        }
    }
}
