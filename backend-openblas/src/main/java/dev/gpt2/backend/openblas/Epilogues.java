package dev.gpt2.backend.openblas;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The element-wise steps around a BLAS product, on the Vector API: the bias added to a row before {@code sgemm}
 * accumulates into it, GPT-2's GELU after. Offsets count floats.
 */
final class Epilogues {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;
    /** sqrt(2 / pi). */
    private static final float K = (float) Math.sqrt(2 / Math.PI);
    private static final float CUBIC = 0.044715f;

    private Epilogues() {
    }

    /** {@code out[at + j] += bias[from + j]} for j < n. */
    static void addBias(MemorySegment out, long at, MemorySegment bias, long from, int n) {
        int up = S.loopBound(n);
        int j = 0;
        for (; j < up; j += S.length()) {
            FloatVector o = FloatVector.fromMemorySegment(S, out, (at + j) * Float.BYTES, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(S, bias, (from + j) * Float.BYTES, ORDER);
            o.add(b).intoMemorySegment(out, (at + j) * Float.BYTES, ORDER);
        }
        for (; j < n; j++) {
            out.setAtIndex(F32, at + j, out.getAtIndex(F32, at + j) + bias.getAtIndex(F32, from + j));
        }
    }

    /** GPT-2's GELU ("gelu_new") in place: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, j < n. */
    static void gelu(MemorySegment out, long at, int n) {
        int up = S.loopBound(n);
        int j = 0;
        for (; j < up; j += S.length()) {
            FloatVector x = FloatVector.fromMemorySegment(S, out, (at + j) * Float.BYTES, ORDER);
            FloatVector u = x.mul(x).fma(CUBIC, 1f).mul(x).mul(K);
            x.mul(0.5f).mul(u.lanewise(VectorOperators.TANH).add(1f))
                    .intoMemorySegment(out, (at + j) * Float.BYTES, ORDER);
        }
        for (; j < n; j++) {
            float x = out.getAtIndex(F32, at + j);
            out.setAtIndex(F32, at + j, 0.5f * x * (1 + (float) Math.tanh(K * x * Math.fma(CUBIC, x * x, 1f))));
        }
    }
}
