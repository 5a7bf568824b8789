package io.streamgate.auth;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a {@link Grant} from a verified token. The signature, issuer and expiry were checked by
 * SmallRye JWT before this runs; here only Streamgate's own claims are read.
 */
public final class Grants {

    /** A tenant id becomes a Kafka key, a log field and a metric tag: keep it plain. */
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final int MAX_PATTERNS = 1000;

    private Grants() {
    }

    /** The grant, or empty when the token lacks a usable {@code tenant} claim. */
    public static Optional<Grant> from(JsonWebToken token) {
        Object tenant = token.getClaim("tenant");
        String tenantId = tenant instanceof JsonString s ? s.getString() : tenant instanceof String s ? s : null;
        if (tenantId == null || !TENANT.matcher(tenantId).matches() || token.getSubject() == null) {
            return Optional.empty();
        }
        return Optional.of(new Grant(tenantId, token.getSubject(),
                patterns(token.getClaim("subscribe")), patterns(token.getClaim("publish")),
                token.getExpirationTime() * 1000L, presenceInfo(token.getClaim("presence")),
                token.getTokenID(), seconds(token.getClaim("iat")) * 1000L));
    }

    /** A numeric date claim ({@code iat}) in seconds, 0 when absent or not a number. */
    private static long seconds(Object claim) {
        if (claim instanceof JsonNumber n) {
            return n.longValue();
        }
        return claim instanceof Number n ? n.longValue() : 0;
    }

    /** Only a JSON object of modest size is shown to others. */
    private static String presenceInfo(Object claim) {
        if (claim instanceof JsonObject object) {
            String text = object.toString();
            return text.length() <= 1024 ? text : null;
        }
        return null;
    }

    private static List<ChannelPattern> patterns(Object claim) {
        List<ChannelPattern> result = new ArrayList<>();
        if (claim instanceof JsonArray array) {
            for (JsonValue v : array) {
                if (v instanceof JsonString s && result.size() < MAX_PATTERNS) {
                    result.add(new ChannelPattern(s.getString()));
                }
            }
        } else if (claim instanceof Collection<?> values) {
            for (Object v : values) {
                if (result.size() < MAX_PATTERNS) {
                    result.add(new ChannelPattern(String.valueOf(v).replaceAll("^\"|\"$", "")));
                }
            }
        } else if (claim instanceof JsonString s) {
            result.add(new ChannelPattern(s.getString()));
        } else if (claim instanceof String s) {
            result.add(new ChannelPattern(s));
        }
        return List.copyOf(result);
    }
}
