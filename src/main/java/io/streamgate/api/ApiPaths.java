package io.streamgate.api;

/** The API's paths (docs/api.md). */
final class ApiPaths {

    static final String ROOT = "/v1/api";
    /**
     * A channel as in the protocol, {@code <namespace>:<subject>}, as one path segment: a subject's slashes are sent
     * percent-encoded ({@code inventory:shelf%2F3}).
     */
    static final String CHANNEL = ROOT + "/channels/{channel}";

    private ApiPaths() {
    }
}
