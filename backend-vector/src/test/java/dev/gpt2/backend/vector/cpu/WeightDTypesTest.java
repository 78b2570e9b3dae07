package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.api.spi.Tensor;
import dev.gpt2.api.spi.WeightFormats;
import dev.gpt2.api.spi.WeightRole;
import dev.gpt2.api.spi.WeightView;
import dev.gpt2.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weights held as F32, F16, BF16 and Q8_0, white-box: every value the kernels convert is exactly the value the
 * reference backend rounds the weight to; the vector kernels compute bit for bit what the plain Java ones do; logits
 * of a row are the same bits alone or among others; 16-bit weights already in their dtype are used in place.
 * Shapes are awkward on purpose: not multiples of 4 (Q8_0 row groups), of 32 (Q8_0 blocks), of 64 (blocks of K) or
 * of any vector width.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WeightDTypesTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena = Arena.ofShared();
    private CpuBackend vector;
    private CpuBackend scalar;
    private final ReferenceBackend reference = new ReferenceBackend();

    @BeforeAll
    void open() {
        Simd simd;
        try {
            simd = Simd.fromProperty();
        } catch (IllegalArgumentException narrowCpu) {
            // the build also runs these tests at 256 bits, which not every CPU has
            Assumptions.abort("skipped at this width: " + narrowCpu.getMessage());
            return;
        }
        vector = new CpuBackend("vector", new BackendConfig(2), simd, VectorMatmul::new);
        scalar = new CpuBackend("vector", new BackendConfig(2), Simd.scalar(), VectorMatmul::new);
    }

    @AfterAll
    void close() {
        if (vector == null) {
            return;
        }
        vector.close();
        scalar.close();
        arena.close();
    }

    /** {@code values} stored as {@code dtype} in native memory, 64-byte aligned (or one byte off). */
    private WeightView view(float[] values, int rows, int cols, DType dtype, boolean misaligned) {
        int size = dtype.bits() / 8;
        MemorySegment data = arena.allocate((long) values.length * size + 64, 64)
                .asSlice(misaligned ? 1 : 0, (long) values.length * size);
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case F32 -> data.setAtIndex(F32, i, values[i]);
                case F16 -> data.setAtIndex(I16, i, WeightFormats.floatToF16(values[i]));
                case BF16 -> data.setAtIndex(I16, i, WeightFormats.floatToBf16(values[i]));
                case Q8_0 -> throw new IllegalArgumentException("no Q8_0 checkpoints");
            }
        }
        return new WeightView("w", dtype, rows, cols, data);
    }

    private static float[] uniform(long seed, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextDouble(-1, 1);
        }
        return v;
    }

    /** What the reference holds for {@code view} held as {@code held}: the exact F32 value of every weight. */
    private float[] referenceValues(WeightView view, WeightRole role, DType held) {
        Tensor t = reference.upload(view, role, held);
        float[] v = new float[view.rows() * view.cols()];
        reference.read(t, 0, view.rows(), v);
        return v;
    }

    /** Equal bits, zeros' signs included (any NaN equals any NaN). */
    private static void assertBitsEqual(float[] expected, float[] got, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(got[i])) {
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(got[i]), what + " at " + i
                        + ": expected " + expected[i] + ", got " + got[i]);
            }
        }
    }

    @ParameterizedTest(name = "held as {0}")
    @EnumSource(DType.class)
    void convertedValuesAreTheReferencesRounding(DType held) {
        int rows = 70;
        int cols = 37;
        float[] values = uniform(held.ordinal(), rows * cols);
        values[5] = 0;
        values[40] = -0f;
        for (DType source : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (WeightRole role : new WeightRole[] {WeightRole.MATMUL, WeightRole.TOKEN_EMBEDDING}) {
                WeightView view = view(values, rows, cols, source, false);
                float[] expected = referenceValues(view, role, held);
                CpuTensor t = (CpuTensor) vector.upload(view, role, held);
                assertEquals(held, t.dtype());
                String what = held + " from " + source + " as " + role;
                float[] plain = new float[rows * cols];
                float[] vectors = new float[rows * cols];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        plain[r * cols + c] = ScalarKernels.weight(t, r, c);
                    }
                    VectorKernels.INSTANCE.toFloats(vectors, r * cols, t, r, 0, cols);
                }
                assertBitsEqual(expected, plain, what + " (plain Java)");
                assertBitsEqual(expected, vectors, what + " (Vector API)");
                float[] part = new float[cols];
                VectorKernels.INSTANCE.toFloats(part, 0, t, 33, 3, cols - 5);
                assertBitsEqual(Arrays.copyOfRange(expected, 33 * cols + 3, 34 * cols - 2),
                        Arrays.copyOf(part, cols - 5), what + " (a run from column 3)");
                t.close();
            }
        }
    }

    @Test
    void f16SpecialValuesConvertExactly() {
        short[] bits = {0x0000, (short) 0x8000, 0x0001, 0x03ff, (short) 0x8001, 0x0400, 0x3c00, (short) 0xc000,
                0x7bff, (short) 0xfbff, 0x7c00, (short) 0xfc00, 0x7e00, 0x7c01, (short) 0xfe01, 0x3555};
        int cols = bits.length * 4;
        MemorySegment data = arena.allocate((long) cols * 2, 64);
        for (int i = 0; i < cols; i++) {
            data.setAtIndex(I16, i, bits[i % bits.length]);
        }
        CpuTensor t = (CpuTensor) vector.upload(new WeightView("w", DType.F16, 1, cols, data),
                WeightRole.TOKEN_EMBEDDING, DType.F16);
        assertTrue(t.borrowed(), "an aligned F16 weight held as F16 is used in place");
        float[] got = new float[cols];
        VectorKernels.INSTANCE.toFloats(got, 0, t, 0, 0, cols);
        for (int i = 0; i < cols; i++) {
            float expected = Float.float16ToFloat(bits[i % bits.length]);
            // every NaN counts as one (its payload is not part of the contract); signs of zeros and infinities do
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(got[i]),
                    "F16 " + Integer.toHexString(bits[i % bits.length] & 0xffff) + " -> " + expected + ", got "
                            + got[i]);
        }
    }

    @Test
    void sixteenBitWeightsInTheirOwnDtypeAreUsedInPlace() {
        float[] values = uniform(3, 12 * 20);
        for (DType d : new DType[] {DType.F16, DType.BF16, DType.F32}) {
            CpuTensor inPlace = (CpuTensor) vector.upload(view(values, 12, 20, d, false), WeightRole.MATMUL, d);
            assertTrue(inPlace.borrowed(), d + " held as itself, aligned: in place");
            CpuTensor misaligned = (CpuTensor) vector.upload(view(values, 12, 20, d, true), WeightRole.MATMUL, d);
            assertFalse(misaligned.borrowed(), d + " at an odd address: copied");
            for (int r = 0; r < 12; r++) {
                for (int c = 0; c < 20; c++) {
                    assertEquals(ScalarKernels.weight(inPlace, r, c), ScalarKernels.weight(misaligned, r, c));
                }
            }
        }
        assertFalse(((CpuTensor) vector.upload(view(values, 12, 20, DType.F32, false), WeightRole.MATMUL,
                DType.BF16)).borrowed(), "F32 held as BF16: converted");
        assertFalse(((CpuTensor) vector.upload(view(values, 12, 20, DType.F32, false), WeightRole.MATMUL,
                DType.Q8_0)).borrowed(), "Q8_0: quantized");
    }

    /**
     * The matmul on the Vector API equals the plain Java one bit for bit, for every dtype, epilogue and path: one row
     * and a few (weights streamed) and many (packed GEMM), K past several blocks of 64 and not a multiple of 4.
     */
    @ParameterizedTest(name = "held as {0}")
    @EnumSource(DType.class)
    void vectorMatmulEqualsPlainJavaBitForBit(DType held) {
        for (int[] shape : new int[][] {{1, 203, 53}, {3, 130, 48}, {1, 64, 48}, {9, 70, 37}, {21, 203, 53}}) {
            int rows = shape[0];
            int k = shape[1];
            int n = shape[2];
            WeightView w = view(uniform(k * 7L + n, k * n), k, n, DType.F32, false);
            WeightView b = view(uniform(n, n), 1, n, DType.F32, false);
            float[] x = uniform(rows, rows * k);
            float[] init = uniform(rows + 1, rows * n);
            for (Epilogue e : Epilogue.values()) {
                float[] got = matmul(vector, w, b, held, x, init, rows, e);
                float[] expected = matmul(scalar, w, b, held, x, init, rows, e);
                assertBitsEqual(expected, got, "matmul " + held + " " + e + " rows=" + rows + " K=" + k + " N=" + n);
            }
        }
    }

    private static float[] matmul(Backend on, WeightView w, WeightView b, DType held, float[] x, float[] init,
                                  int rows, Epilogue e) {
        int k = w.rows();
        int n = w.cols();
        try (Tensor wt = on.upload(w, WeightRole.MATMUL, held);
             Tensor bt = on.upload(b, WeightRole.VECTOR, held);
             Tensor xt = on.allocate(rows, k);
             Tensor out = on.allocate(rows, n)) {
            on.write(xt, x);
            on.write(out, init);
            on.matmul(out, xt, rows, wt, bt, e);
            float[] result = new float[rows * n];
            on.read(out, 0, rows, result);
            return result;
        }
    }

    /** Each row's logits are the same bits computed alone (the one-row kernels) as among 6 rows (the batched ones). */
    @ParameterizedTest(name = "held as {0}")
    @EnumSource(DType.class)
    void logitsOfARowAreTheSameAloneOrInABatch(DType held) {
        for (int c : new int[] {64, 70}) {
            int v = 150;
            int rows = 6;
            Tensor wte = vector.upload(view(uniform(c, v * c), v, c, DType.F32, false), WeightRole.TOKEN_EMBEDDING,
                    held);
            Tensor h = vector.allocate(rows, c);
            vector.write(h, uniform(c + 1, rows * c));
            Tensor all = vector.allocate(rows, v);
            int[] order = {5, 0, 3, 1, 4, 2};
            vector.logits(all, h, order, wte);
            float[] batched = new float[rows * v];
            vector.read(all, 0, rows, batched);
            Tensor one = vector.allocate(1, v);
            float[] alone = new float[v];
            for (int i = 0; i < rows; i++) {
                vector.logits(one, h, new int[] {order[i]}, wte);
                vector.read(one, 0, 1, alone);
                assertBitsEqual(Arrays.copyOfRange(batched, i * v, (i + 1) * v), alone,
                        "logits " + held + " C=" + c + " of row " + order[i]);
            }
        }
    }

    /** Embeddings in every dtype: exactly the reference's sum of its rounded rows. */
    @ParameterizedTest(name = "held as {0}")
    @EnumSource(DType.class)
    void embeddingsAreTheReferencesRoundedRows(DType held) {
        int c = 70;
        WeightView wte = view(uniform(1, 50 * c), 50, c, DType.F32, false);
        WeightView wpe = view(uniform(2, 20 * c), 20, c, DType.F32, false);
        int[] ids = {49, 0, 7, 7, 33};
        int[] positions = {0, 1, 2, 19, 4};
        float[] expected = new float[ids.length * c];
        float[] got = new float[ids.length * c];
        Tensor refOut = reference.allocate(ids.length, c);
        reference.embed(refOut, reference.upload(wte, WeightRole.TOKEN_EMBEDDING, held),
                reference.upload(wpe, WeightRole.POSITION_EMBEDDING, held), ids, positions);
        reference.read(refOut, 0, ids.length, expected);
        Tensor out = vector.allocate(ids.length, c);
        vector.embed(out, vector.upload(wte, WeightRole.TOKEN_EMBEDDING, held),
                vector.upload(wpe, WeightRole.POSITION_EMBEDDING, held), ids, positions);
        vector.read(out, 0, ids.length, got);
        assertArrayEquals(expected, got, "embed " + held);
    }
}
