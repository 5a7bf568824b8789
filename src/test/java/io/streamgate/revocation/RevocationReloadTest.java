package io.streamgate.revocation;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.auth.Grant;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Revocations live in PostgreSQL: a revocation stored by another replica (or before a restart) and never heard
 * of on the control topic is in force here once the replica has read the store, as it does at startup.
 */
@QuarkusTest
class RevocationReloadTest extends GatewayTest {

    @Inject
    RevocationStore store;

    @Inject
    Revocations revocations;

    @Test
    void aStoredRevocationIsReadBackAndRefusedAtTheUpgrade() {
        String token = Tokens.sign(Tokens.claims(tenant, "alice", List.of("chat:*"), List.of()).claim("jti", "stored-1"));
        Grant grant = new Grant(tenant, "alice", List.of(), List.of(), Long.MAX_VALUE, null, "stored-1", 0);
        store.save(Revocation.ofToken(tenant, "stored-1", System.currentTimeMillis() + 60_000));
        store.save(Revocation.ofSubject(tenant, "bob", 5_000));
        assertThat(revocations.isRevoked(grant)).isFalse();
        assertThat(WsClient.upgradeStatus(uri, token)).isEqualTo(101);

        revocations.reload();

        assertThat(revocations.isRevoked(grant)).isTrue();
        assertThat(WsClient.upgradeStatus(uri, token)).isEqualTo(401);
        assertThat(revocations.of(tenant)).containsExactlyInAnyOrder(
                Revocation.ofToken(tenant, "stored-1", store.all().stream().filter(r -> "stored-1".equals(r.tokenId()))
                        .findFirst().orElseThrow().expiresAtMillis()),
                Revocation.ofSubject(tenant, "bob", 5_000));
    }

    @Test
    void aRevocationOfATokenIsForgottenOnceTheTokenHasExpired() {
        store.save(Revocation.ofToken(tenant, "expired-1", System.currentTimeMillis() - 1_000));
        revocations.reload();
        assertThat(revocations.of(tenant)).isEmpty();
        assertThat(store.all()).noneMatch(r -> r.tenant().equals(tenant));
    }
}
