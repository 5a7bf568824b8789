package io.streamgate.bench.stack;

import io.smallrye.jwt.build.Jwt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * A key pair made for the run: the gateway trusts its public half (a PEM file), the load generator signs client
 * tokens with the private half. A few dozen distinct subjects share the tokens; the gateway still verifies a
 * signature on every upgrade.
 */
public final class SigningKeys {

    public static final String ISSUER = "https://streamgate.bench";
    private static final int SUBJECTS = 64;

    private final Path publicKeyPem;
    private final String[] tokens = new String[SUBJECTS];

    private SigningKeys(Path publicKeyPem, KeyPair pair, String tenant, List<String> grants) {
        this.publicKeyPem = publicKeyPem;
        for (int i = 0; i < SUBJECTS; i++) {
            tokens[i] = Jwt.issuer(ISSUER).subject("user-" + i).claim("tenant", tenant).claim("subscribe", grants)
                    .claim("publish", List.of()).expiresIn(6 * 3600).sign(pair.getPrivate());
        }
    }

    public static SigningKeys generate(Path directory, String tenant, List<String> grants) throws IOException, NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        Files.createDirectories(directory);
        Path pem = directory.resolve("publicKey.pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        return new SigningKeys(pem, pair, tenant, grants);
    }

    public Path publicKeyPem() {
        return publicKeyPem;
    }

    public String tokenFor(int client) {
        return tokens[client % SUBJECTS];
    }
}
