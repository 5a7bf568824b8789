package io.streamgate.bench.stack;

/** A server's memory after a forced GC: the heap its runtime reports in use, and the process's resident set. */
public record MemoryFigures(long heapBytes, long rssBytes) {
}
