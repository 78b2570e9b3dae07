package dev.gpt2.benchmarks;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.gpt2.tokenizer.Gpt2Tokenizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Cold load of the GPT-2 vocabulary: the first {@link Gpt2Tokenizer#gpt2()} in a fresh JVM (one shot per fork, many
 * forks), against jtokkit's R50K_BASE, plus the first encode of a short text.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(10)
public class TokenizerLoadBenchmark {

    @Benchmark
    public Gpt2Tokenizer loadGpt2Java() {
        return Gpt2Tokenizer.gpt2();
    }

    @Benchmark
    public Encoding loadJtokkit() {
        return Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    }

    @Benchmark
    public int[] loadAndEncodeGpt2Java() {
        return Gpt2Tokenizer.gpt2().encodeOrdinary("Hello, world! The first encode also loads the vocabulary.");
    }

    @Benchmark
    public int loadAndEncodeJtokkit() {
        return Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE)
                .encodeOrdinary("Hello, world! The first encode also loads the vocabulary.").size();
    }
}
