package io.streamgate.kafka;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Derives the live consumer's topic list ({@code mp.messaging.incoming.live-events.topics}) from the
 * configured namespaces, so that a namespace is configured in one place only. Reads both the property
 * form ({@code streamgate.namespaces."inventory".topic}) and the environment form
 * ({@code STREAMGATE_NAMESPACES__INVENTORY__TOPIC}). An explicitly set topic list wins (ordinal 50).
 */
public class LiveTopicsConfigSourceFactory implements ConfigSourceFactory {

    private static final Pattern PROPERTY = Pattern.compile("streamgate\\.namespaces\\.(\"[^\"]+\"|[^.]+)\\.topic");
    private static final Pattern PROFILE_PREFIX = Pattern.compile("^%[^.]+\\.");
    private static final Pattern ENVIRONMENT = Pattern.compile("STREAMGATE_NAMESPACES_.+_TOPIC");

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        TreeSet<String> topics = new TreeSet<>();
        for (Iterator<String> names = context.iterateNames(); names.hasNext();) {
            // A profile-specific key (%dev.streamgate...) counts through its unprefixed name, which the
            // context resolves for the active profile.
            String original = names.next();
            String name = PROFILE_PREFIX.matcher(original).replaceFirst("");
            if (PROPERTY.matcher(name).matches() || ENVIRONMENT.matcher(name).matches()) {
                ConfigValue value = context.getValue(name);
                if (value != null && value.getValue() != null && !value.getValue().isBlank()) {
                    topics.add(value.getValue().trim());
                }
            }
        }
        if (topics.isEmpty()) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(
                Map.of("mp.messaging.incoming." + LiveConsumer.CHANNEL + ".topics", String.join(",", topics)),
                "streamgate-live-topics", 50));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(50);
    }
}
