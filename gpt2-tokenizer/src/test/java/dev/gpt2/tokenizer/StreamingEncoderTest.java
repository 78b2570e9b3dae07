package dev.gpt2.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A text pushed in parts gives exactly the ids of the whole text, while the encoder holds a bounded part of it. */
class StreamingEncoderTest {
    private final Gpt2Tokenizer gpt2 = Gpt2Tokenizer.gpt2();
    private final String corpus = Fixtures.read(Fixtures.tokenizerData().resolve("corpus-5mb.txt"));

    /** The ids of {@code text} pushed in random parts (cut anywhere, surrogate pairs included), then finished. */
    private int[] streamed(String text, SpecialTokenPolicy policy, long seed, int maxPart, int[] idsBeforeFinish) {
        StreamingEncoder encoder = gpt2.streamingEncoder(policy);
        Random random = new Random(seed);
        IntList ids = new IntList(text.length() / 3);
        for (int at = 0; at < text.length(); ) {
            int end = Math.min(text.length(), at + 1 + random.nextInt(maxPart));
            int[] part = encoder.push(text.subSequence(at, end));
            ids.addAll(part, 0, part.length);
            at = end;
        }
        idsBeforeFinish[0] = ids.size();
        int[] rest = encoder.finish();
        ids.addAll(rest, 0, rest.length);
        return ids.toArray();
    }

    @Test
    void theCorpusInPartsGivesTheIdsOfTheWholeAndHandsThemOutAsItGoes() {
        int[] before = new int[1];
        int[] whole = gpt2.encode(corpus, SpecialTokenPolicy.ordinary());
        assertArrayEquals(whole, streamed(corpus, SpecialTokenPolicy.ordinary(), 1, 300_000, before));
        assertTrue(before[0] > whole.length / 2, "ids handed out before finish: " + before[0] + " of " + whole.length);
        assertArrayEquals(whole, streamed(corpus, SpecialTokenPolicy.ordinary(), 2, 7, before), "tiny parts");
    }

    @Test
    void specialTokensAcrossPartsAndCutsAreFoundWhole() {
        StringBuilder text = new StringBuilder();
        Random random = new Random(5);
        while (text.length() < 5_000_000) {
            int from = random.nextInt(corpus.length() - 2000);
            text.append(corpus, from, from + random.nextInt(2000)).append(random.nextBoolean() ? "<|endoftext|>" : " ");
        }
        String s = text.toString();
        int[] before = new int[1];
        assertArrayEquals(gpt2.encode(s, SpecialTokenPolicy.allowAll()),
                streamed(s, SpecialTokenPolicy.allowAll(), 3, 100_000, before));
        assertArrayEquals(gpt2.encode(s, SpecialTokenPolicy.ordinary()),
                streamed(s, SpecialTokenPolicy.ordinary(), 4, 100_000, before));
    }

    @Test
    void aDisallowedSpecialTokenIsReportedAtItsOffsetInTheStream() {
        String late = corpus + "<|endoftext|>" + corpus.substring(0, 10_000);
        DisallowedSpecialTokenException e = assertThrows(DisallowedSpecialTokenException.class,
                () -> streamed(late, SpecialTokenPolicy.disallowAll(), 6, 50_000, new int[1]));
        assertEquals(corpus.length(), e.offset());
        assertEquals("<|endoftext|>", e.token());
    }

    @Test
    void textWithoutAPlaceToCutIsHeldUntilItEnds() {
        String text = Fixtures.randomLetters(7, 3 << 20);
        int[] before = new int[1];
        assertArrayEquals(gpt2.encodeOrdinary(text), streamed(text, SpecialTokenPolicy.ordinary(), 8, 1 << 20, before));
        assertEquals(0, before[0], "no id before the end: any later letter could change the last piece");
    }

    @Test
    void anEncoderStartsAfreshAfterFinish() {
        StreamingEncoder encoder = gpt2.streamingEncoder(SpecialTokenPolicy.ordinary());
        assertEquals(0, encoder.push("Hello, world!").length);
        assertArrayEquals(new int[] {15496, 11, 995, 0}, encoder.finish());
        assertEquals(0, encoder.finish().length);
        encoder.push("Hello");
        assertArrayEquals(new int[] {15496}, encoder.finish());
    }
}
