package io.streamgate.local;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Local mode replaces main's {@code META-INF/services/io.smallrye.config.ConfigSourceFactory} with its own
 * copy (two files of one name cannot both be on a classpath directory). A factory added to main but not to
 * the local copy would silently be missing in local mode; this test catches that.
 */
class LocalModeServicesTest {

    private static final String SERVICES = "META-INF/services/io.smallrye.config.ConfigSourceFactory";

    @Test
    void localServicesFileListsEveryFactoryOfMain() throws Exception {
        List<String> main = entries(Path.of("src/main/resources").resolve(SERVICES));
        List<String> local = entries(Path.of("src/local/resources").resolve(SERVICES));
        assertThat(local).containsAll(main).contains("io.streamgate.local.LocalStackConfigSourceFactory");
    }

    private static List<String> entries(Path file) throws Exception {
        return Files.readAllLines(file).stream().map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }
}
