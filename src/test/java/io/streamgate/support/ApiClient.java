package io.streamgate.support;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Calls the server API (/v1/api/) of one gateway with one token, as a backend would with curl. */
public final class ApiClient {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A response: its status and its JSON body (every API answer has one). */
    public record Answer(int status, JsonObject body, HttpResponse<String> raw) {
        public String code() {
            return body.getString("code");
        }
    }

    private final URI base;
    private final String token;

    /** @param token the bearer token, or null to send none */
    public ApiClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    public static String encode(String pathPart) {
        return URLEncoder.encode(pathPart, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public Answer get(String path) {
        return send(request(path).GET());
    }

    public Answer post(String path, String json) {
        HttpRequest.Builder b = request(path);
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return send(b.POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private static Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonObject body = r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body());
            return new Answer(r.statusCode(), body, r);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
