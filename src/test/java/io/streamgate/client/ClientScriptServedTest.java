package io.streamgate.client;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JavaScript client is part of the product: every gateway serves it at {@code /v1/client.js}, without a
 * token, as a JavaScript module. The demo page and the token endpoint are not: they exist in local mode only.
 */
@QuarkusTest
class ClientScriptServedTest extends GatewayTest {

    @Test
    void clientModuleIsServedWithoutAToken() throws Exception {
        HttpResponse<String> response = get("v1/client.js");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).contains("javascript"));
        assertThat(response.body()).contains("export function connect(");
    }

    @Test
    void noDemoPageAndNoTokenEndpointOutsideLocalMode() throws Exception {
        assertThat(get("").statusCode()).isEqualTo(404);
        assertThat(get("dev/token").statusCode()).isEqualTo(404);
        assertThat(get("dev/snapshot").statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
