package io.streamgate.support;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Headless Chromium driven over the Chrome DevTools Protocol, with nothing but the JDK's HTTP client: the
 * system's browser (Debian's {@code chromium}; {@code CHROMIUM_BIN} overrides), never one a tool downloads.
 * Enough for the browser tests: open a page, evaluate JavaScript in it, take a screenshot.
 */
public final class Chromium implements AutoCloseable {

    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final Process process;
    private final Path profile;
    private final URI http;

    private Chromium(Process process, Path profile, URI http) {
        this.process = process;
        this.profile = profile;
        this.http = http;
    }

    /** The browser binary ({@code CHROMIUM_BIN}, else the first of chromium, chromium-browser, google-chrome on PATH), or null. */
    public static Path binary() {
        String configured = System.getenv("CHROMIUM_BIN");
        if (configured != null) {
            Path path = Path.of(configured);
            return Files.isExecutable(path) ? path : null;
        }
        return Stream.of("chromium", "chromium-browser", "google-chrome").map(Tools::onPath)
                .flatMap(java.util.Optional::stream).findFirst().orElse(null);
    }

    public static Chromium launch() throws IOException, InterruptedException {
        Path binary = binary();
        if (binary == null) {
            throw new IllegalStateException("no Chromium: apt-get install -y chromium (or set CHROMIUM_BIN)");
        }
        Path profile = Files.createTempDirectory("streamgate-chromium-");
        Process process = new ProcessBuilder(binary.toString(),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
                .redirectErrorStream(true)
                .start();
        // Chromium prints where its DevTools endpoint listens; everything else it prints is noise here.
        CompletableFuture<URI> endpoint = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null;) {
                    Matcher m = DEVTOOLS.matcher(line);
                    if (m.find()) {
                        URI ws = URI.create(m.group(1));
                        endpoint.complete(URI.create("http://" + ws.getHost() + ":" + ws.getPort() + "/"));
                    }
                }
            } catch (IOException e) {
                // the browser went away
            }
            endpoint.completeExceptionally(new IllegalStateException("Chromium exited before listening"));
        }, "chromium-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new Chromium(process, profile, endpoint.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly().waitFor();
            deleteTree(profile);
            throw new IllegalStateException("Chromium did not start: " + e.getMessage(), e);
        }
    }

    /** Opens a new tab on the URL. */
    public Page open(String url) throws Exception {
        HttpResponse<String> created = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(http.resolve("json/new?" + url)).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 200) {
            throw new IllegalStateException("cannot open a tab: HTTP " + created.statusCode() + " " + created.body());
        }
        return new Page(URI.create(new JsonObject(created.body()).getString("webSocketDebuggerUrl")));
    }

    /**
     * Opens a new tab on the URL with {@code script} run in every document before the page's own scripts
     * (CDP's Page.addScriptToEvaluateOnNewDocument), e.g. to take an API away from the page.
     */
    public Page open(String url, String script) throws Exception {
        Page page = open("about:blank");
        page.send("Page.enable", new JsonObject()); // without it the script is accepted and never run (tried)
        page.send("Page.addScriptToEvaluateOnNewDocument", new JsonObject().put("source", script));
        page.send("Page.navigate", new JsonObject().put("url", url));
        return page;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        deleteTree(profile);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory
        }
    }

    /** One tab: CDP commands over its WebSocket. */
    public static final class Page implements WebSocket.Listener {
        private final Map<Integer, CompletableFuture<JsonObject>> replies = new ConcurrentHashMap<>();
        private final AtomicInteger ids = new AtomicInteger();
        private final StringBuilder partial = new StringBuilder();
        private final WebSocket socket;

        Page(URI debugger) throws Exception {
            socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(debugger, this).get(30, TimeUnit.SECONDS);
        }

        public JsonObject send(String method, JsonObject params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonObject> reply = new CompletableFuture<>();
            replies.put(id, reply);
            socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true).join();
            JsonObject answer = reply.get(60, TimeUnit.SECONDS);
            if (answer.containsKey("error")) {
                throw new IllegalStateException(method + " failed: " + answer.getJsonObject("error").encode());
            }
            return answer.getJsonObject("result");
        }

        /** Evaluates an expression in the page (awaiting a promise) and returns its JSON value. */
        public Object evaluate(String expression) throws Exception {
            JsonObject result = send("Runtime.evaluate", new JsonObject().put("expression", expression)
                    .put("returnByValue", true).put("awaitPromise", true));
            if (result.containsKey("exceptionDetails")) {
                throw new IllegalStateException("page threw: " + result.getJsonObject("exceptionDetails").encode());
            }
            return result.getJsonObject("result").getValue("value");
        }

        /** Polls an expression until it is true, or fails after the timeout with the last diagnostics. */
        public void await(String expression, Duration timeout, String diagnostics) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (Boolean.TRUE.equals(evaluate(expression))) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("page never satisfied `" + expression + "` within " + timeout + "; "
                    + (diagnostics == null ? "" : String.valueOf(evaluate(diagnostics))));
        }

        public void screenshot(Path file) throws Exception {
            String png = send("Page.captureScreenshot", new JsonObject().put("format", "png")).getString("data");
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, Base64.getDecoder().decode(png));
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonObject message = new JsonObject(partial.toString());
                partial.setLength(0);
                Integer id = message.getInteger("id");
                if (id != null) {
                    CompletableFuture<JsonObject> reply = replies.remove(id);
                    if (reply != null) {
                        reply.complete(message);
                    }
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
