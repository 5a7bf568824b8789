package io.streamgate.bench.scenario;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one system did in one scenario: named figures (counts, seconds, bytes), the ramp's steps where the
 * scenario ramps, or the error that stopped it.
 */
public record RunResult(String scenario, String system, String configuration, Map<String, Object> figures, List<Step> steps,
        String error) {

    public static RunResult failed(String scenario, String system, String configuration, Throwable error) {
        return new RunResult(scenario, system, configuration, new LinkedHashMap<>(), List.of(),
                error.getClass().getSimpleName() + ": " + error.getMessage());
    }

    public double number(String figure) {
        Object value = figures.get(figure);
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
