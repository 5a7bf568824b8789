package io.streamgate.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Every Streamgate setting, under the prefix {@code streamgate}. Each key can also be set as an
 * environment variable ({@code streamgate.connection.outbound-queue-bytes} →
 * {@code STREAMGATE_CONNECTION_OUTBOUND_QUEUE_BYTES}). Broker, database and JWT settings keep their
 * standard Quarkus names ({@code kafka.bootstrap.servers}, {@code quarkus.datasource.*},
 * {@code mp.jwt.verify.*}).
 */
@ConfigMapping(prefix = "streamgate")
public interface StreamgateConfig {

    /**
     * The namespaces clients can subscribe to, by name: {@code streamgate.namespaces."inventory".topic=...}.
     * A channel is {@code <namespace>:<subject>}. Each namespace reads exactly one Kafka topic and a
     * topic belongs to at most one namespace.
     */
    Map<String, Namespace> namespaces();

    /**
     * A namespace in which every authenticated subject may always subscribe to
     * {@code <namespace>:<its own sub>}, without a grant in the token (personal notifications).
     * Unset: no such namespace.
     */
    Optional<String> userNamespace();

    /** Per-connection limits and timing. */
    Connection connection();

    /** Reading history from Kafka for resuming subscriptions. */
    Replay replay();

    /** Which partitions this replica's live consumer reads. */
    Live live();

    /** {@code subscribe} with {@code rewind: N}: the last N events, from memory or a bounded read of Kafka. */
    Rewind rewind();

    /** Client publishing into Kafka. */
    Publish publish();

    /** Durable cursors in PostgreSQL. */
    Cursors cursors();

    /** Graceful shutdown. */
    Drain drain();

    /** Who is in a channel, across replicas. */
    Presence presence();

    /** The server API for backends and operators ({@code /v1/api/}, docs/api.md). */
    Api api();

    /** The Server-Sent Events transport, {@code GET /v1/sse} (docs/protocol.md, "SSE transport"). */
    Sse sse();

    interface Namespace {
        /** The Kafka topic whose records become this namespace's events. Records are keyed by tenant id. */
        String topic();

        /**
         * Where a record's subject comes from. Unset: the record header {@code subject}. Set to a JSON
         * pointer (for example {@code /sku}): that member of the JSON value, which must be a string or
         * a number. Taking it from the value means the value is parsed for every record of a tenant
         * with subscribers in this namespace, so prefer the header when producers can set it.
         */
        Optional<String> subjectPointer();

        /** Any client of the tenant may subscribe, whatever its token's {@code subscribe} claim says. */
        @WithName("public")
        @WithDefault("false")
        boolean isPublic();

        /** Clients may publish to this namespace (still only where their {@code publish} claim allows). */
        @WithDefault("false")
        boolean publish();

        /** Track who is subscribed to a channel of this namespace and announce joins and leaves. */
        @WithDefault("false")
        boolean presence();
    }

    interface Connection {
        /**
         * Bytes a connection may have queued for sending but not yet written to its socket. A client
         * that falls this far behind is closed with 4008 and resumes from its cursor; it never slows
         * the Kafka consumer or other clients.
         */
        @WithDefault("1048576")
        long outboundQueueBytes();

        /**
         * How long a connection may stay above {@code outbound-queue-bytes} before it is closed with 4008. A
         * fast client briefly exceeds the limit when a large batch of records arrives at once (its event loop
         * has not run the writes yet); a slow one stays above it. Above four times the limit it is closed at once.
         */
        @WithDefault("PT2S")
        Duration slowConsumerGrace();

        /** Subscriptions one connection may hold; one more is refused with {@code too_many_subscriptions}. */
        @WithDefault("200")
        int maxSubscriptions();

        /**
         * Bad commands (malformed JSON, unknown types, missing fields) a connection may send before it is
         * closed with 1008. Each one before that gets an {@code error} reply.
         */
        @WithDefault("50")
        int maxBadCommands();

        /** Longest channel name accepted, in characters. */
        @WithDefault("200")
        int maxChannelLength();

        /**
         * Open connections one tenant may hold on this replica; one more is closed right after the upgrade
         * with 4429. Protects the other tenants of a replica from one tenant's reconnect loop.
         */
        @WithDefault("10000")
        int maxPerTenant();

        /**
         * New connections per second this replica accepts (token bucket refill rate); beyond it the upgrade
         * is refused with HTTP 429 and a Retry-After header. Each upgrade verifies a JWT signature, so a
         * reconnect storm is spread out instead of starving the event loops.
         */
        @WithDefault("1000")
        int newPerSecond();

        /** New connections accepted at once before {@code new-per-second} applies (token bucket size). */
        @WithDefault("2000")
        int newBurst();

        /**
         * New connections per second one tenant may open on this replica (its own token bucket, taken before the
         * replica's): one tenant's reconnect loop or attack then uses at most this share of {@code new-per-second},
         * and the other tenants' upgrades still pass. A refused upgrade takes nothing from the replica's bucket.
         * A deployment with one tenant sets it to {@code new-per-second}.
         */
        @WithDefault("500")
        int newPerTenantPerSecond();

        /** New connections one tenant may open at once before {@code new-per-tenant-per-second} applies. */
        @WithDefault("1000")
        int newPerTenantBurst();

        /**
         * Subscribe, unsubscribe and presence commands per second one connection may sustain (token bucket refill
         * rate); beyond it they are answered {@code rate_limited}. Each one costs the index, Kafka or a presence
         * scan, so churn is bounded.
         */
        @WithDefault("50")
        double commandsPerSecond();

        /**
         * Subscribe, unsubscribe and presence commands a connection may send at once (token bucket size). Keep it
         * above {@code max-subscriptions}: a client resubscribes every channel at once after a reconnect.
         */
        @WithDefault("400")
        int commandsBurst();

        /**
         * {@code refresh} commands one connection may send per minute (each verifies a signature on the worker
         * pool); beyond it they are answered {@code rate_limited}. A failed refresh also counts as a bad command.
         */
        @WithDefault("6")
        double refreshPerMinute();

        /** {@code refresh} commands a connection may send at once before {@code refresh-per-minute} applies. */
        @WithDefault("3")
        int refreshBurst();

        /**
         * Verified tokens whose grants this replica remembers, keyed by the SHA-256 digest of the token's text (least
         * recently used dropped first): a client that reconnects with a token verified before is admitted without a
         * second signature check and without leaving the event loop. Revocations apply to remembered tokens all the
         * same. A few hundred bytes each (the grant and the cache's entry; not the token). 0 verifies every token on
         * every upgrade.
         */
        @WithDefault("10000")
        int tokenCacheSize();

        /**
         * Longest a remembered token is accepted without its signature being checked again (never past its
         * {@code exp}): bounds how long a token signed by a key withdrawn from the JWKS still opens connections.
         */
        @WithDefault("PT10M")
        Duration tokenCacheMaxAge();

        /**
         * A connection from which nothing (not even a pong) arrived for this long is considered dead and
         * closed. Keep it at two ping intervals or more ({@code ping-interval}).
         */
        @WithDefault("PT60S")
        Duration idleTimeout();

        /**
         * How often the server sends each connection a WebSocket ping (clients answer with a pong; browsers do so
         * by themselves): it keeps proxies from cutting quiet connections and lets {@code idle-timeout} find dead
         * ones. One periodic sweep over the connections sends them, not a timer per connection (which is why
         * websockets-next's {@code auto-ping-interval} is not set). Announced in {@code welcome} as {@code ping_ms}.
         */
        @WithDefault("PT25S")
        Duration pingInterval();
    }

    interface Live {
        /**
         * {@code all}: every replica reads every partition of every namespace topic (the simplest, and right
         * while a replica's share of the traffic is most of the traffic). {@code interest}: a replica reads
         * only the partitions that hold a tenant with a subscriber on it, so adding partitions and tenants
         * does not add work to every replica; a subscriber of a partition not yet read waits one Kafka round
         * trip (the consumer seeks to the end of the partition) and history covers the switch.
         */
        @WithDefault("all")
        Assignment assignment();

        /**
         * With {@code interest}: how long a partition whose last local subscriber left is still read, so
         * clients that reconnect (a network blip, a rolling restart elsewhere) do not make the replica stop
         * and start reading it again.
         */
        @WithDefault("PT30S")
        Duration releaseDelay();

        /**
         * How often each namespace topic's id and partition count are read again. A change (partitions added, the
         * topic deleted and recreated) moves every subscription of the topic to its tenant's new partition and
         * tells the client ({@code subscribed} with reason {@code epoch}). A record or publish in a partition the
         * known epoch cannot place makes the check run at once.
         */
        @WithDefault("PT30S")
        Duration epochCheckInterval();

        enum Assignment {
            ALL,
            INTEREST
        }
    }

    interface Replay {
        /**
         * Replays that may read Kafka at the same time on this replica. Each holds one Kafka consumer;
         * further resumes wait their turn.
         */
        @WithDefault("4")
        int workers();

        /**
         * Resumes of one tenant that may wait on this replica (queued, being read, or parked while their client
         * is backed up). One more is refused with the error {@code too_many_resumes}, and the client retries.
         * Resumes of one tenant and partition share their reads, so this bounds memory, not Kafka work.
         */
        @WithDefault("10000")
        int maxWaitingPerTenant();

        /**
         * Records one replay may read before the worker goes to the next tenant's replay (round-robin between
         * tenants, then between a tenant's partitions). A resume from the start of a large partition is read
         * in turns of this size, so other tenants' resumes wait at most a turn per worker.
         */
        @WithDefault("20000")
        int turnRecords();

        /**
         * Bytes one fetch of a replay reader may bring from a partition ({@code max.partition.fetch.bytes} of
         * the replay consumers). Larger fetches mean fewer round trips for a long catch-up; each worker may
         * hold this much prefetched.
         */
        @WithDefault("4194304")
        int fetchBytes();

        /** How long a replay worker waits for records in one poll. */
        @WithDefault("PT0.5S")
        Duration pollTimeout();

        /**
         * How long a subscription waits for the live consumer to be assigned its partition before the
         * subscribe fails with {@code internal} (only right after startup).
         */
        @WithDefault("PT30S")
        Duration liveReadyTimeout();
    }

    interface Rewind {
        /**
         * The largest {@code rewind} a client may ask for, and the number of recent events kept in memory per
         * channel with local subscribers. A larger {@code rewind} is refused with {@code bad_request}.
         */
        @WithDefault("100")
        int max();

        /**
         * Heap this replica may spend on recent events kept for rewind (all channels together, an estimate of
         * the frames' size). A channel's ring that would go over it gives up its oldest events; a rewind its ring
         * no longer covers is read from Kafka instead.
         */
        @WithDefault("32M")
        MemorySize memoryBudget();

        /**
         * Records of the tenant's partition a rewind from Kafka may read, backwards from the end, to find the
         * channel's last events. When they hold fewer than asked, the rewind delivers what it found and the
         * reply says {@code complete: false}. Bounds the cost of a rewind of a cold channel in a busy partition.
         */
        @WithDefault("100000")
        int maxScanRecords();

        /** Threads (each with one Kafka consumer) that scan for where rewinds from Kafka start. */
        @WithDefault("2")
        int workers();
    }

    interface Publish {
        /** Largest {@code data} a client may publish, in bytes of JSON; larger: {@code too_large}. */
        @WithDefault("65536")
        int maxPayloadBytes();

        /** Publishes per second a connection may sustain (token bucket refill rate). */
        @WithDefault("20")
        double ratePerSecond();

        /** Publishes a connection may send in a burst (token bucket size). */
        @WithDefault("40")
        int burst();
    }

    interface Cursors {
        /** How often acknowledged cursors are written to PostgreSQL, coalesced per channel. */
        @WithDefault("PT1S")
        Duration flushInterval();

        /**
         * Client ids ({@code ?client_id=}) whose positions are kept per tenant and subject; on a write, the
         * rows of the least recently written client ids beyond this number are deleted.
         */
        @WithDefault("10")
        int maxClientsPerSubject();

        /** A stored position not written for this long is deleted (Kafka has long dropped what it pointed at). */
        @WithDefault("P30D")
        Duration retention();

        /** How often positions older than {@code retention} are deleted. */
        @WithDefault("PT1H")
        Duration purgeInterval();

        /**
         * Acknowledged positions held in memory waiting to be written (normally one flush interval's worth;
         * while PostgreSQL is unreachable, all of them). When full, an ack of a channel not already waiting is
         * not kept (counted in {@code streamgate_cursor_acks_dropped_total}); waiting ones still move forward.
         */
        @WithDefault("100000")
        int maxPending();
    }

    interface Presence {
        /**
         * The compacted Kafka topic through which replicas share presence. Created at startup (compacted) when
         * missing; every replica reads all of it.
         */
        @WithDefault("streamgate-presence")
        String topic();

        /**
         * How long a member stays listed without a heartbeat from its replica. Replicas renew their members
         * every third of this, so a crashed replica's members disappear from every list within this time.
         */
        @WithDefault("PT30S")
        Duration ttl();
    }

    interface Api {
        /** Serve {@code /v1/api/}. Off: every API request is answered 404 {@code not_found}. */
        @WithDefault("false")
        boolean enabled();

        /**
         * The role (an entry of the token's {@code groups} claim) that makes a token a server token. Tokens without
         * it, client tokens, are refused with 403 on every API endpoint.
         */
        @WithDefault("streamgate-server")
        String role();

        /** API requests per second a tenant may sustain on one replica (token bucket refill rate). */
        @WithDefault("50")
        double requestsPerSecond();

        /** API requests a tenant may send in a burst on one replica (token bucket size). */
        @WithDefault("100")
        int burst();

        /** The largest {@code limit} of a read of a channel's events. */
        @WithDefault("1000")
        int maxEvents();

        /**
         * How many records of the tenant's partition one read of a channel's events looks at, at most. A cold
         * channel in a busy partition is answered from this window ({@code bounded: true} when fewer than
         * {@code limit} events were found in it): one request never scans the whole log.
         */
        @WithDefault("10000")
        int maxScanRecords();

        /** Kafka consumers kept for reads of channels' events and cursors; more requests wait for one. */
        @WithDefault("2")
        int readers();

        /**
         * The Kafka topic through which replicas tell each other of disconnects and revocations. Created at
         * startup when missing (one partition, an hour's retention); every replica reads it.
         */
        @WithDefault("streamgate-control")
        String controlTopic();

        /**
         * How often each replica reloads the revocations from PostgreSQL, besides hearing of new ones on the control
         * topic at once: heals a replica that started while the database was away.
         */
        @WithDefault("PT30S")
        Duration revocationReload();
    }

    interface Drain {
        /**
         * On shutdown, open connections are closed with 1012 spread evenly over this window, so that
         * clients do not all reconnect to the same replica at once. Keep it below the pod's
         * termination grace period.
         */
        @WithDefault("PT10S")
        Duration window();
    }

    interface Sse {
        /** Off: {@code /v1/sse} and its ticket and command endpoints answer 404 and clients keep to the WebSocket. */
        @WithDefault("true")
        boolean enabled();

        /**
         * How often an idle stream gets a comment line ({@code :}) so that proxies do not cut it; also announced in
         * {@code welcome} as {@code heartbeat_ms}. Keep it under the shortest idle timeout of the proxies in between.
         */
        @WithDefault("PT15S")
        Duration heartbeat();

        /**
         * How long a ticket from {@code POST /v1/sse/ticket} may wait before it opens its stream. A ticket opens one
         * stream, once; the stream's own reconnects (the browser's, with {@code Last-Event-ID}) last until the token
         * expires.
         */
        @WithDefault("PT30S")
        Duration ticketTtl();

        /**
         * Channels one stream may hold. Every SSE message's {@code id} names the position of each of them (so that
         * any replica resumes the stream from {@code Last-Event-ID} alone): this bounds its size.
         */
        @WithDefault("32")
        int maxChannels();

        /** The {@code retry} (milliseconds) the stream asks browsers to wait before they reconnect by themselves. */
        @WithDefault("1000")
        int retryMillis();
    }
}
