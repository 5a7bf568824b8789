package io.streamgate.subscription;

import io.streamgate.protocol.OutboundFrame;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live frames of one Kafka poll, gathered by the event loop of the connection they go to: when the poll has
 * been fanned out, {@link #dispatch()} hands each event loop one task that writes its frames in order (each frame
 * encoded once, written as a retained duplicate) and then flushes each of its connections once. Per delivery this
 * costs an array slot, not a task, a promise and a system call.
 * <p>
 * Built and dispatched by one thread (the live consumer's); the tasks run on the event loops.
 */
public final class DeliveryBatch {

    private static final Logger LOG = Logger.getLogger(DeliveryBatch.class);

    /** A connection written to directly, as the batch sees it. All but {@link #eventLoop()} run on that loop. */
    public interface Target {
        Executor eventLoop();

        /** Writes the frame without flushing; the target is then flushed before the task ends. */
        void write(OutboundFrame frame);

        /** Flushes what {@link #write} wrote since the last flush; does nothing when there is nothing. */
        void flush();
    }

    /** One event loop's share, in the order the frames were added. */
    private static final class Group implements Runnable {
        final Executor loop;
        Target[] targets = new Target[16];
        OutboundFrame[] frames = new OutboundFrame[16];
        int size;
        DeliveryBatch batch;

        Group(Executor loop) {
            this.loop = loop;
        }

        void add(Target target, OutboundFrame frame) {
            if (size == targets.length) {
                targets = java.util.Arrays.copyOf(targets, size * 2);
                frames = java.util.Arrays.copyOf(frames, size * 2);
            }
            targets[size] = target;
            frames[size] = frame;
            size++;
        }

        @Override
        public void run() {
            try {
                for (int i = 0; i < size; i++) {
                    try {
                        targets[i].write(frames[i]);
                    } catch (RuntimeException e) {
                        LOG.debugf(e, "A batched write failed");
                    }
                }
                // Each target once, after its last frame: a target's flush does nothing when it has nothing
                // unflushed, so asking every slot costs a field read, not a set of the targets per task.
                for (int i = 0; i < size; i++) {
                    try {
                        targets[i].flush();
                    } catch (RuntimeException e) {
                        LOG.debugf(e, "A batched flush failed");
                    }
                }
            } finally {
                batch.groupDone();
            }
        }
    }

    private final List<Group> groups = new ArrayList<>(4);
    private final List<OutboundFrame> frames = new ArrayList<>();
    private final AtomicInteger pendingGroups = new AtomicInteger();
    private OutboundFrame lastFrame;
    private boolean dispatched;

    /** Queues {@code frame} for {@code target}; the frame is encoded now, on the calling thread, if it was not. */
    public void add(Target target, OutboundFrame frame) {
        if (dispatched) {
            throw new IllegalStateException("batch already dispatched");
        }
        frame.wire(); // encoded here, before other threads read it
        track(frame);
        group(target.eventLoop()).add(target, frame);
    }

    /**
     * Makes the batch release the frame's bytes (if they were encoded) once it has been dispatched and written:
     * the fan-out calls this for every frame it made, also for one that no connection took.
     */
    public void track(OutboundFrame frame) {
        if (frame != lastFrame) {
            frames.add(frame);
            lastFrame = frame;
        }
    }

    private Group group(Executor loop) {
        for (int i = 0, n = groups.size(); i < n; i++) {
            Group g = groups.get(i);
            if (g.loop == loop) {
                return g;
            }
        }
        Group g = new Group(loop);
        g.batch = this;
        groups.add(g);
        return g;
    }

    public boolean isEmpty() {
        return groups.isEmpty();
    }

    /** Hands every event loop its task; the frames are released once every task has written them. */
    public void dispatch() {
        dispatched = true;
        if (groups.isEmpty()) {
            releaseFrames();
            return;
        }
        pendingGroups.set(groups.size());
        for (Group g : groups) {
            try {
                g.loop.execute(g);
            } catch (RejectedExecutionException e) { // shutting down: the connections go too
                groupDone();
            }
        }
    }

    private void groupDone() {
        if (pendingGroups.decrementAndGet() == 0) {
            releaseFrames();
        }
    }

    private void releaseFrames() {
        for (OutboundFrame f : frames) {
            f.release();
        }
        frames.clear();
    }
}
