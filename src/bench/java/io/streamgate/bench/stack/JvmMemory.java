package io.streamgate.bench.stack;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Heap in use after a forced full GC, asked of a running JVM with jcmd (GC.run, then GC.heap_info). */
final class JvmMemory {

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private JvmMemory() {
    }

    static long heapUsedAfterGc(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = USED.matcher(info);
        if (!m.find()) {
            throw new IOException("no heap figure in: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    static void saveClassHistogram(long pid, java.nio.file.Path file) throws IOException, InterruptedException {
        java.nio.file.Files.writeString(file, jcmd(pid, "GC.class_histogram"));
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed: " + out);
        }
        return out;
    }
}
