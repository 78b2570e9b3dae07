package dev.gpt2.backend.conformance;

import static org.junit.jupiter.api.Assertions.fail;

/** Comparisons whose failure messages name the backend, the op, the shape, the dtype and the largest difference. */
final class Check {
    private Check() {
    }

    /**
     * Fails unless every {@code |got - ref| <= tolerance * sqrt(reduction) * (1 + |ref|)}.
     *
     * @param what      "vector: matmul GELU rows=7 K=33 N=129 weight f32"
     * @param cols      the row length, to report where the worst difference is
     * @param reduction how many terms each value sums (K of a matmul, C of a layer norm, 1 for an elementwise op)
     */
    static void close(String what, float[] got, float[] ref, int cols, int reduction, double tolerance) {
        if (got.length != ref.length) {
            fail(what + ": " + got.length + " values, the reference has " + ref.length);
        }
        double scale = tolerance * Math.sqrt(Math.max(1, reduction));
        double maxDiff = 0;
        double worstRatio = 0;
        int worst = -1;
        for (int i = 0; i < got.length; i++) {
            double d = Math.abs((double) got[i] - ref[i]);
            double allowed = scale * (1 + Math.abs(ref[i]));
            double ratio = d / allowed;
            if (!(ratio <= worstRatio)) {
                worstRatio = Double.isNaN(ratio) ? Double.POSITIVE_INFINITY : ratio;
                worst = i;
            }
            if (!(d <= maxDiff)) {
                maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            }
        }
        if (worstRatio > 1) {
            fail(what + ": max |diff| " + String.format("%.3g", maxDiff) + "; worst at [" + worst / cols + ", "
                    + worst % cols + "]: got " + got[worst] + ", reference " + ref[worst] + ", allowed "
                    + String.format("%.3g", scale * (1 + Math.abs(ref[worst]))) + " (tolerance " + tolerance
                    + " * sqrt(" + reduction + ") * (1 + |ref|))");
        }
    }

    /** Fails unless {@code a} and {@code b} hold the same bits. */
    static void bitwise(String what, float[] a, float[] b, int cols) {
        if (a.length != b.length) {
            fail(what + ": " + a.length + " values against " + b.length);
        }
        int differ = 0;
        int first = -1;
        double maxDiff = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
                if (first < 0) {
                    first = i;
                }
                differ++;
                maxDiff = Math.max(maxDiff, Math.abs((double) a[i] - b[i]));
            }
        }
        if (differ > 0) {
            fail(what + ": " + differ + " of " + a.length + " values differ in their bits, max |diff| "
                    + String.format("%.3g", maxDiff) + "; first at [" + first / cols + ", " + first % cols + "]: "
                    + a[first] + " vs " + b[first]);
        }
    }
}
