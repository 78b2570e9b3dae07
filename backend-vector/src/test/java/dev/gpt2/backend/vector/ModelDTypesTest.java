package dev.gpt2.backend.vector;

import dev.gpt2.api.DType;
import dev.gpt2.api.LoadOptions;
import dev.gpt2.api.ScoreOptions;
import dev.gpt2.core.Gpt2;
import dev.gpt2.core.Gpt2Model;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole models with reduced-precision weights on the vector backend: the fixtures' checkpoints (tiny-a stored F32,
 * tiny-b stored F16) loaded through gpt2-core with weights held as each dtype, every case of their {@code cases.json}
 * scored. F32 must give the independent numpy reference's nll_sum; BF16 and F16 must stay within 1e-3 of F32's,
 * relative, and Q8_0 within 1e-2.
 */
class ModelDTypesTest {
    private static final Pattern IDS = Pattern.compile("\"ids\":\\[([0-9,\\s]*)]");
    private static final Pattern NLL = Pattern.compile("\"nll_sum\":([-0-9.eE+]+)");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny-a", "tiny-b"})
    void reducedPrecisionScoresStayCloseToF32(String name) throws IOException {
        Path dir = Path.of(System.getProperty("gpt2.testdata", "../testdata"), "models", name);
        String cases = Files.readString(dir.resolve("cases.json"));
        List<int[]> sequences = new ArrayList<>();
        Matcher m = IDS.matcher(cases);
        while (m.find()) {
            sequences.add(Arrays.stream(m.group(1).split(",")).map(String::trim).mapToInt(Integer::parseInt)
                    .toArray());
        }
        List<Double> expected = new ArrayList<>();
        Matcher n = NLL.matcher(cases);
        while (n.find()) {
            expected.add(Double.parseDouble(n.group(1)));
        }
        assertEquals(sequences.size(), expected.size(), "one nll_sum per case in " + dir);
        assertTrue(sequences.size() >= 6, "the cases of " + dir);

        double[] f32 = score(dir, DType.F32, sequences);
        for (int i = 0; i < f32.length; i++) {
            assertEquals(expected.get(i), f32[i], 1e-4 * Math.max(1, expected.get(i)),
                    name + " case " + i + " with f32 weights against the numpy reference");
        }
        for (DType dtype : new DType[] {DType.BF16, DType.F16, DType.Q8_0}) {
            double tolerance = dtype == DType.Q8_0 ? 1e-2 : 1e-3;
            double[] got = score(dir, dtype, sequences);
            for (int i = 0; i < got.length; i++) {
                assertEquals(f32[i], got[i], tolerance * Math.max(1, f32[i]),
                        name + " case " + i + " (" + sequences.get(i).length + " tokens): nll_sum with " + dtype
                                + " weights against f32");
            }
        }
    }

    private static double[] score(Path model, DType dtype, List<int[]> sequences) {
        try (Gpt2Model m = Gpt2.load(model.toString(), LoadOptions.defaults().withBackend(VectorProvider.NAME)
                .withDType(dtype))) {
            assertEquals(dtype, m.info().dtype(), "the weights are held as asked");
            double[] nll = new double[sequences.size()];
            for (int i = 0; i < nll.length; i++) {
                nll[i] = m.score(sequences.get(i), ScoreOptions.defaults()).nllSum();
            }
            return nll;
        }
    }
}
