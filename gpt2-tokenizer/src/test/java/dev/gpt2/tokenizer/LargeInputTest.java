package dev.gpt2.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Texts without spaces are one long piece: the heap merge keeps them O(n log n) (no time asserted here). */
class LargeInputTest {
    private final Gpt2Tokenizer gpt2 = Gpt2Tokenizer.gpt2();

    @Test
    void fourMegabytesOfLettersWithoutASpace() {
        String text = Fixtures.randomLetters(50, 4 << 20);
        int[] ids = gpt2.encodeOrdinary(text);
        assertEquals(text, gpt2.decode(ids));
        assertTrue(ids.length > text.length() / 4 && ids.length < text.length() / 1.5, "ids: " + ids.length);
    }

    @Test
    void oneLetterRepeatedAndLongDigitRuns() {
        for (String unit : new String[] {"a", "7", "!", "é", "😀"}) {
            String text = unit.repeat(1 << 18);
            int[] ids = gpt2.encodeOrdinary(text);
            assertEquals(text, gpt2.decode(ids), unit);
        }
    }

    @Test
    void heapMergeEqualsEncoderPyOnLongRandomPieces() {
        Vocabulary vocab = gpt2.vocabulary();
        ReferenceBpe reference = new ReferenceBpe(vocab);
        Random random = new Random(3);
        for (int n = 0; n < 20; n++) {
            char[] word = new char[200 + random.nextInt(2000)];
            for (int i = 0; i < word.length; i++) {
                word[i] = "etaoinshrdlucmfwyp".charAt(random.nextInt(18));
            }
            byte[] piece = new String(word).getBytes(StandardCharsets.UTF_8);
            IntList heap = new IntList(8);
            vocab.merger.mergeLong(piece, piece.length, heap);
            assertArrayEquals(reference.encode(piece), heap.toArray(), () -> Arrays.toString(word));
        }
    }
}
