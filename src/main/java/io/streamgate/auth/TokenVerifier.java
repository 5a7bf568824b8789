package io.streamgate.auth;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.streamgate.config.StreamgateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;

/**
 * Turns a bearer token into a {@link Grant}: SmallRye JWT's parser checks signature, issuer, audience and expiry,
 * then {@link Grants} reads Streamgate's claims. Grants of verified tokens are remembered ({@link VerifiedTokens},
 * {@code streamgate.connection.token-cache-size} and {@code token-cache-max-age}), so that the upgrade of a client
 * that comes back with the same token neither verifies the signature again nor leaves the event loop. Revocation
 * is not this class's business: callers check it on every use, remembered or not.
 */
@ApplicationScoped
public class TokenVerifier {

    @Inject
    JWTParser parser;

    private final VerifiedTokens verified;

    @Inject
    public TokenVerifier(StreamgateConfig config) {
        this.verified = new VerifiedTokens(config.connection().tokenCacheSize(), config.connection().tokenCacheMaxAge(),
                System::currentTimeMillis);
    }

    /** The grant of a token this replica verified before and that has not expired since, or null. Cheap. */
    public Grant known(String token) {
        return verified.get(token);
    }

    /**
     * Verifies the token (CPU-heavy, and with a JWKS location possibly I/O: not on an event loop).
     *
     * @return the grant, or empty when the token is valid but has no usable {@code tenant} or {@code sub}
     * @throws ParseException when the token is not valid
     */
    public Optional<Grant> verify(String token) throws ParseException {
        Optional<Grant> grant = Grants.from(parser.parse(token));
        grant.ifPresent(g -> verified.put(token, g));
        return grant;
    }
}
