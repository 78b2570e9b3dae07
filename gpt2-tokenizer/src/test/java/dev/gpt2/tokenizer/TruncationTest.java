package dev.gpt2.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TruncationTest {
    private final Gpt2Tokenizer gpt2 = Gpt2Tokenizer.gpt2();

    @Test
    void keepsTheFirstIdsAndSaysWhereTheyEnd() {
        TruncatedEncoding t = gpt2.encode("one two three", SpecialTokenPolicy.disallowAll(), 2);
        assertEquals(new TruncatedEncoding(new int[] {505, 734}, true, 7, 7), t);
        TruncatedEncoding all = gpt2.encode("one two three", SpecialTokenPolicy.disallowAll(), 3);
        assertEquals(new TruncatedEncoding(new int[] {505, 734, 1115}, false, 13, 13), all);
        assertEquals(new TruncatedEncoding(new int[0], true, 0, 0),
                gpt2.encode("one", SpecialTokenPolicy.ordinary(), 0));
        assertEquals(new TruncatedEncoding(new int[0], false, 0, 0),
                gpt2.encode("", SpecialTokenPolicy.ordinary(), 0));
    }

    @Test
    void neverEndsInsideACharacter() {
        // 😀 is two tokens, [47249, 222]: one token is half a character, so it is dropped
        TruncatedEncoding t = gpt2.encode("a😀", SpecialTokenPolicy.ordinary(), 2);
        assertArrayEquals(new int[] {64}, t.ids());
        assertEquals(1, t.charsCovered());
        assertEquals(1, t.bytesCovered());
        assertTrue(t.truncated());
    }

    @Test
    void everyLimitGivesAPrefixOfTheIdsThatDecodesToAPrefixOfTheText() {
        String[] texts = {
            "Hello, world! Ünïcödé 😀👍🏻 中文字符 and a looooooooooooooooooooong word <|endoftext|> end",
            "🇺🇸🇫🇷 👨‍👩‍👧 € ∑ x²", Fixtures.devCases().get(300).text()
        };
        for (String text : texts) {
            int[] full = gpt2.encodeAllowingSpecial(text);
            for (int limit = 0; limit <= full.length + 1; limit++) {
                TruncatedEncoding t = gpt2.encode(text, SpecialTokenPolicy.allowAll(), limit);
                int[] ids = t.ids();
                assertTrue(ids.length <= limit);
                assertArrayEquals(Arrays.copyOf(full, ids.length), ids, "a prefix of the full encoding");
                String covered = text.substring(0, t.charsCovered());
                assertEquals(covered, gpt2.decode(ids), "limit " + limit);
                assertEquals(covered.getBytes(StandardCharsets.UTF_8).length, t.bytesCovered());
                assertEquals(limit < full.length, t.truncated());
            }
        }
        TruncatedEncoding t = gpt2.encode("<|endoftext|><|endoftext|>", SpecialTokenPolicy.allowAll(), 1);
        assertEquals(new TruncatedEncoding(new int[] {50256}, true, 13, 13), t);
    }

    @Test
    void countsALoneSurrogateAsTheThreeBytesOfUFFFD() {
        TruncatedEncoding t = gpt2.encode("a\uD800b", SpecialTokenPolicy.ordinary(), 100);
        assertFalse(t.truncated());
        assertEquals(3, t.charsCovered());
        assertEquals(5, t.bytesCovered());
    }

    @Test
    void negativeLimitIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> gpt2.encode("x", SpecialTokenPolicy.ordinary(), -1));
    }
}
