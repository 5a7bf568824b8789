package io.streamgate.bench.report;

import io.streamgate.bench.Settings;
import io.streamgate.bench.scenario.RunResult;
import io.streamgate.bench.scenario.Step;

import java.util.List;
import java.util.Locale;

/**
 * A small SVG line chart of a ramp: delivered events/s across, p99 latency up (logarithmic), one line per
 * system, and the 100 ms bar. Written by hand so the report needs no plotting tool.
 */
public final class SvgPlot {

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
    private static final int WIDTH = 760;
    private static final int HEIGHT = 420;
    private static final int LEFT = 80;
    private static final int RIGHT = 190;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final double MIN_MS = 0.1;
    private static final double MAX_MS = 10_000;

    private SvgPlot() {
    }

    public static String ramp(String title, List<RunResult> runs) {
        double maxX = 1;
        for (RunResult r : runs) {
            for (Step s : r.steps()) {
                maxX = Math.max(maxX, s.delivered());
            }
        }
        maxX = niceCeiling(maxX);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT, escape(title)));
        axes(svg, maxX);
        double bar = y(Settings.P99_LIMIT_MICROS / 1000.0);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"6,4\"/>%n",
                LEFT, bar, WIDTH - RIGHT, bar));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" fill=\"#666\">p99 bar, 100 ms</text>%n", WIDTH - RIGHT - 100, bar - 5));
        for (int i = 0; i < runs.size(); i++) {
            line(svg, runs.get(i), COLOURS[i % COLOURS.length], maxX, i);
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void axes(StringBuilder svg, double maxX) {
        int plotRight = WIDTH - RIGHT;
        int plotBottom = HEIGHT - BOTTOM;
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n",
                LEFT, TOP, plotRight - LEFT, plotBottom - TOP));
        for (double ms = MIN_MS; ms <= MAX_MS; ms *= 10) {
            double y = y(ms);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>%n", LEFT, y, plotRight, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>%n", LEFT - 6, y + 4,
                    ms < 1 ? String.format(Locale.ROOT, "%.1f", ms) : String.format(Locale.ROOT, "%,.0f", ms)));
        }
        for (int i = 0; i <= 5; i++) {
            double value = maxX * i / 5;
            double x = x(value, maxX);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>%n", x, TOP, x, plotBottom));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, plotBottom + 18,
                    value >= 1e6 ? String.format(Locale.ROOT, "%.1fM", value / 1e6) : String.format(Locale.ROOT, "%.0fk", value / 1e3)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">delivered events/s (all subscribers)</text>%n",
                (LEFT + plotRight) / 2, HEIGHT - 18));
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(18,%d) rotate(-90)\" text-anchor=\"middle\">p99 latency, producer to client</text>%n",
                (TOP + plotBottom) / 2));
    }

    private static void line(StringBuilder svg, RunResult run, String colour, double maxX, int index) {
        StringBuilder points = new StringBuilder();
        for (Step s : run.steps()) {
            double x = x(s.delivered(), maxX);
            double y = y(Math.max(MIN_MS, Math.min(MAX_MS, s.p99Micros() / 1000.0)));
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>%n", x, y, colour));
        }
        svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                points.toString().trim(), colour));
        int ly = TOP + 16 + index * 20;
        int lx = WIDTH - RIGHT + 14;
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>%n",
                lx, ly - 4, lx + 20, ly - 4, colour));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", lx + 26, ly, escape(run.system())));
    }

    private static double x(double value, double maxX) {
        return LEFT + value / maxX * (WIDTH - RIGHT - LEFT);
    }

    private static double y(double ms) {
        double f = (Math.log10(ms) - Math.log10(MIN_MS)) / (Math.log10(MAX_MS) - Math.log10(MIN_MS));
        return HEIGHT - BOTTOM - f * (HEIGHT - BOTTOM - TOP);
    }

    private static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * magnitude >= v) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;");
    }
}
