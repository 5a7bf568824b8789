package io.streamgate.local;

import io.quarkus.arc.profile.IfBuildProfile;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Mints demo tokens. A demo shopper may read the whole inventory and the sale's chat, its own order stream
 * ({@code orders:<sub>}), and write to the chat. Signed with the key pair that Quarkus's smallrye-jwt makes
 * in dev mode when no key is configured ({@code smallrye.jwt.sign.key}; kept across live reloads, never
 * present in the packaged application). Local mode only: the packaged application cannot mint a token.
 */
@ApplicationScoped
@IfBuildProfile("dev")
public class DevTokens {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @ConfigProperty(name = "mp.jwt.verify.issuer")
    String issuer;

    @ConfigProperty(name = "streamgate.api.role", defaultValue = "streamgate-server")
    String serverRole;

    record Token(String token, long expiresAtMillis) {
    }

    /** A server token for the server API (docs/api.md): the tenant, a subject naming the backend, the server role. */
    Token mintServer(String tenant, String sub, long ttlSeconds) {
        Instant now = Instant.now();
        Instant expiresAt = now.plusSeconds(ttlSeconds);
        String token = Jwt.issuer(issuer).subject(sub).claim("tenant", tenant).groups(serverRole)
                .claim("jti", java.util.UUID.randomUUID().toString())
                .issuedAt(now).expiresAt(expiresAt)
                .sign();
        return new Token(token, expiresAt.toEpochMilli());
    }

    Token mint(String tenant, String sub, long ttlSeconds) {
        Instant now = Instant.now();
        Instant expiresAt = now.plusSeconds(ttlSeconds);
        String token = Jwt.issuer(issuer).subject(sub)
                .claim("tenant", tenant)
                .claim("subscribe", List.of("inventory:*", "orders:" + sub, "chat:*"))
                .claim("publish", List.of("chat:*"))
                // What others see of this shopper in presence lists (gateways with presence read it).
                .claim("presence", Map.of("name", displayName(sub)))
                .issuedAt(now).expiresAt(expiresAt)
                .sign();
        return new Token(token, expiresAt.toEpochMilli());
    }

    private static String displayName(String sub) {
        return Character.toUpperCase(sub.charAt(0)) + sub.substring(1);
    }
}
