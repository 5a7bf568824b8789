package io.streamgate.api;

/** The role a server token carries in its {@code groups} claim: {@code streamgate.api.role}. */
final class ApiRole {

    /** For {@code @RolesAllowed}, which Quarkus resolves from the configuration at runtime. */
    static final String EXPRESSION = "${streamgate.api.role:streamgate-server}";

    private ApiRole() {
    }
}
