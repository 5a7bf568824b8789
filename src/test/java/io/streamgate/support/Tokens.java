package io.streamgate.support;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.jwt.util.KeyUtils;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Mints test tokens with the test signing key (src/test/resources/privateKey.pem, whose public half the
 * test profile trusts), and the broken tokens the auth tests need.
 */
public final class Tokens {

    public static final String ISSUER = "https://streamgate.test";
    private static final PrivateKey KEY;

    static {
        try {
            KEY = KeyUtils.readPrivateKey("/privateKey.pem");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Tokens() {
    }

    public static JwtClaimsBuilder claims(String tenant, String sub, List<String> subscribe, List<String> publish) {
        JwtClaimsBuilder b = Jwt.issuer(ISSUER).subject(sub).issuedAt(Instant.now()).expiresIn(3600);
        if (tenant != null) {
            b.claim("tenant", tenant);
        }
        b.claim("subscribe", subscribe);
        b.claim("publish", publish);
        return b;
    }

    public static String token(String tenant, String sub, List<String> subscribe) {
        return claims(tenant, sub, subscribe, List.of()).sign(KEY);
    }

    public static String token(String tenant, String sub, List<String> subscribe, List<String> publish) {
        return claims(tenant, sub, subscribe, publish).sign(KEY);
    }

    /** A server token of the tenant (the server API's role in {@code groups}) with a fresh {@code jti}. */
    public static String server(String tenant, String sub) {
        return claims(tenant, sub, List.of(), List.of()).groups("streamgate-server")
                .claim("jti", java.util.UUID.randomUUID().toString()).sign(KEY);
    }

    public static String sign(JwtClaimsBuilder claims) {
        return claims.sign(KEY);
    }

    /** Signed by a key the server does not trust. */
    public static String foreignSigned(String tenant, String sub) throws Exception {
        return claims(tenant, sub, List.of("*"), List.of()).sign(KeyUtils.generateKeyPair(2048).getPrivate());
    }

    /** The same claims with {@code "alg": "none"} and no signature. */
    public static String unsigned(String tenant, String sub) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        long now = Instant.now().getEpochSecond();
        String payload = b64.encodeToString(("{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + sub + "\",\"tenant\":\"" + tenant
                + "\",\"subscribe\":[\"*\"],\"iat\":" + now + ",\"exp\":" + (now + 3600) + "}").getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".";
    }
}
