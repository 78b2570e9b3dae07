package dev.gpt2.jmh;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** -Djmh.args is split as a shell splits a command line. */
class ArgumentsTest {

    @Test
    void splitsLikeAShell() {
        assertEquals(List.of(), Arguments.split("  "));
        assertEquals(List.of("-f", "1", "-wi", "0", "Gemm"), Arguments.split(" -f 1\t-wi 0  Gemm "));
        assertEquals(List.of("-jvmArgsAppend", "-Xmx2g -Da=b", "-p", "dtype=f32,bf16"),
                Arguments.split("-jvmArgsAppend '-Xmx2g -Da=b' -p dtype=f32,bf16"));
        assertEquals(List.of("a \"b\" c", "it's", ""), Arguments.split("\"a \\\"b\\\" c\" it\\'s ''"));
    }

    @Test
    void unclosedQuotesAreErrors() {
        assertThrows(IllegalArgumentException.class, () -> Arguments.split("-jvmArgsAppend '-Xmx2g"));
        assertThrows(IllegalArgumentException.class, () -> Arguments.split("trailing \\"));
    }
}
