package dev.gpt2.benchmarks;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import dev.gpt2.tokenizer.Gpt2Tokenizer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * GPT-2 encoding and decoding of a whole corpus (default: the 5 MB mixed corpus of testdata/tokenizer), single thread,
 * this project's {@link Gpt2Tokenizer} against jtokkit's R50K_BASE (the same vocabulary) in the same run.
 *
 * <p>The score is corpus passes per second; the {@code bytes} and {@code tokens} counters are UTF-8 bytes and tokens
 * per second (MB/s = bytes / 1e6). Both tokenizers are checked to give the same ids before measuring.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Threads(1)
@State(Scope.Benchmark)
public class TokenizerBenchmark {

    /** The text to encode: a path, relative to the working directory or one of its parents. */
    @Param("testdata/tokenizer/corpus-5mb.txt")
    public String corpus;

    private String text;
    private long textBytes;
    private Gpt2Tokenizer gpt2;
    private Encoding jtokkit;
    private int[] gpt2Ids;
    private IntArrayList jtokkitIds;

    /** Bytes and tokens handled, reported by JMH per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Throughput {
        /** UTF-8 bytes of text encoded or decoded. */
        public long bytes;
        /** Tokens produced or decoded. */
        public long tokens;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
            tokens = 0;
        }

        void add(long passBytes, long passTokens) {
            bytes += passBytes;
            tokens += passTokens;
        }
    }

    @Setup
    public void load() throws IOException {
        text = Corpus.read(corpus);
        textBytes = text.getBytes(StandardCharsets.UTF_8).length;
        gpt2 = Gpt2Tokenizer.gpt2();
        jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
        gpt2Ids = gpt2.encodeOrdinary(text);
        jtokkitIds = jtokkit.encodeOrdinary(text);
        if (!Arrays.equals(gpt2Ids, jtokkitIds.toArray())) {
            throw new IllegalStateException("gpt2-tokenizer and jtokkit disagree on " + corpus);
        }
    }

    @Benchmark
    public int[] encodeGpt2Java(Throughput t) {
        int[] ids = gpt2.encodeOrdinary(text);
        t.add(textBytes, ids.length);
        return ids;
    }

    @Benchmark
    public IntArrayList encodeJtokkit(Throughput t) {
        IntArrayList ids = jtokkit.encodeOrdinary(text);
        t.add(textBytes, ids.size());
        return ids;
    }

    @Benchmark
    public String decodeGpt2Java(Throughput t) {
        t.add(textBytes, gpt2Ids.length);
        return gpt2.decode(gpt2Ids);
    }

    @Benchmark
    public String decodeJtokkit(Throughput t) {
        t.add(textBytes, jtokkitIds.size());
        return jtokkit.decode(jtokkitIds);
    }
}
