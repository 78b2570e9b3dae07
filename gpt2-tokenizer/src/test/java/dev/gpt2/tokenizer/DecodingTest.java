package dev.gpt2.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decoding, the streaming decoder, and bad input on both sides. */
class DecodingTest {
    private final Gpt2Tokenizer gpt2 = Gpt2Tokenizer.gpt2();

    @Test
    void streamingHandsOutACharacterOnlyWhenItIsComplete() {
        int[] ids = gpt2.encodeOrdinary("😀");
        assertArrayEquals(new int[] {47249, 222}, ids);
        StreamingDecoder decoder = gpt2.streamingDecoder();
        assertEquals("", decoder.push(ids[0]));
        assertEquals("😀", decoder.push(ids[1]));
        assertEquals("", decoder.finish());
        // a decoder ends an unfinished character as U+FFFD and can then start over
        assertEquals("", decoder.push(ids[0]));
        assertEquals("\uFFFD", decoder.finish());
        assertEquals("hi", decoder.push(5303));
    }

    @Test
    void streamingOverTheDevTextsGivesTheTextInValidSteps() {
        for (Fixtures.Case c : Fixtures.devCases()) {
            StreamingDecoder decoder = gpt2.streamingDecoder();
            StringBuilder sb = new StringBuilder();
            for (int id : c.ids()) {
                String part = decoder.push(id);
                assertTrue(part.indexOf('\uFFFD') < 0 || c.text().indexOf('\uFFFD') >= 0, () -> "line " + c.line());
                sb.append(part);
            }
            sb.append(decoder.finish());
            assertEquals(c.text(), sb.toString(), () -> "line " + c.line());
        }
    }

    @Test
    void streamingEqualsDecodingAllAtOnceEvenForInvalidUtf8() {
        Random random = new Random(7);
        int[] byteTokens = byteTokens();
        for (int n = 0; n < 3000; n++) {
            int[] ids = new int[random.nextInt(12)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextBoolean() ? byteTokens[random.nextInt(256)] : random.nextInt(gpt2.vocabSize());
            }
            StreamingDecoder decoder = gpt2.streamingDecoder();
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                sb.append(decoder.push(id));
            }
            sb.append(decoder.finish());
            assertEquals(gpt2.decode(ids), sb.toString());
        }
    }

    @Test
    void blocksOfIdsGiveTheTextOfAllAndABadIdIsNamedByItsIndexInTheStream() {
        Random random = new Random(11);
        int[] bytes = byteTokens();
        int[] ids = new int[20_000];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(4) == 0 ? bytes[0x80 + random.nextInt(128)] : random.nextInt(50_000);
        }
        StreamingDecoder decoder = gpt2.streamingDecoder();
        StringBuilder sb = new StringBuilder();
        for (int at = 0; at < ids.length; ) {
            int end = Math.min(ids.length, at + 1 + random.nextInt(300));
            sb.append(decoder.push(Arrays.copyOfRange(ids, at, end)));
            at = end;
        }
        sb.append(decoder.finish());
        assertEquals(gpt2.decode(ids), sb.toString());

        decoder.push(new int[] {15496, 11});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> decoder.push(new int[] {995, 50257}));
        assertTrue(e.getMessage().contains("token id 50257 (at index 3)"), e.getMessage());
    }

    /** The id of the single-byte token of every byte. */
    private int[] byteTokens() {
        int[] ids = new int[256];
        for (int id = 0; id < gpt2.vocabSize(); id++) {
            byte[] bytes = gpt2.tokenBytes(id);
            if (bytes.length == 1) {
                ids[bytes[0] & 0xFF] = id;
            }
        }
        return ids;
    }

    @Test
    void invalidUtf8DecodesToReplacementCharacters() {
        int ff = byteTokens()[0xFF];
        assertEquals("a\uFFFDb", gpt2.decode(new int[] {64, ff, 65}));
        assertArrayEquals(new byte[] {'a', (byte) 0xFF, 'b'}, gpt2.decodeBytes(new int[] {64, ff, 65}));
        // the first half of an emoji alone: an unfinished sequence
        assertEquals("\uFFFD", gpt2.decode(new int[] {47249}));
    }

    @Test
    void invalidUtf8BecomesOneReplacementPerMaximalSubpartAsInPython() {
        // bytes.decode("utf-8", errors="replace") in Python: an encoded surrogate is three subparts (the JDK: one)
        int[] ids = {169, 254, 222};
        assertArrayEquals(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, gpt2.decodeBytes(ids));
        assertEquals("\uFFFD\uFFFD\uFFFD", gpt2.decode(ids));
        StreamingDecoder decoder = gpt2.streamingDecoder();
        assertEquals("\uFFFD\uFFFD\uFFFD", decoder.push(ids[0]) + decoder.push(ids[1]) + decoder.push(ids[2])
                + decoder.finish());

        // every sequence of 1 or 2 bytes, and of 3 and 4 bytes from the values where the rules change
        for (int a = 0; a < 256; a++) {
            assertDecodesAsTheStandardSays(new byte[] {(byte) a});
            for (int b = 0; b < 256; b++) {
                assertDecodesAsTheStandardSays(new byte[] {(byte) a, (byte) b});
            }
        }
        int[] edges = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC,
            0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
        for (int a : edges) {
            for (int b : edges) {
                for (int c : edges) {
                    assertDecodesAsTheStandardSays(new byte[] {(byte) a, (byte) b, (byte) c});
                    for (int d : edges) {
                        assertDecodesAsTheStandardSays(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
                    }
                }
            }
        }
        Random random = new Random(5);
        for (int n = 0; n < 20_000; n++) {
            byte[] bytes = new byte[random.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) edges[random.nextInt(edges.length)];
            }
            assertDecodesAsTheStandardSays(bytes);
        }
        byte[] padded = {'x', (byte) 0xED, (byte) 0xBF, 'y'};
        assertEquals("\uFFFD\uFFFD", Gpt2Tokenizer.decodeUtf8(padded, 1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Gpt2Tokenizer.decodeUtf8(padded, 3, 2));
    }

    private static void assertDecodesAsTheStandardSays(byte[] bytes) {
        assertEquals(replacedPerMaximalSubpart(bytes), Gpt2Tokenizer.decodeUtf8(bytes, 0, bytes.length),
                () -> "bytes " + java.util.HexFormat.ofDelimiter(" ").formatHex(bytes));
    }

    /**
     * The Unicode standard's replacement of ill-formed UTF-8 (section 3.9, "U+FFFD Substitution of Maximal
     * Subparts"), written from its table 3-7 of well-formed byte sequences.
     */
    private static String replacedPerMaximalSubpart(byte[] b) {
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < b.length) {
            int lead = b[i] & 0xFF;
            int need;
            if (lead < 0x80) {
                text.append((char) lead);
                i++;
                continue;
            } else if (lead >= 0xC2 && lead <= 0xDF) {
                need = 1;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                need = 2;
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                need = 3;
            } else {
                text.append('\uFFFD');
                i++;
                continue;
            }
            int low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
            int high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
            int codePoint = lead & (0x3F >> need);
            int j = i + 1;
            boolean whole = true;
            for (int k = 0; k < need; k++, j++) {
                int next = j < b.length ? b[j] & 0xFF : -1;
                if (next < (k == 0 ? low : 0x80) || next > (k == 0 ? high : 0xBF)) {
                    whole = false;
                    break;
                }
                codePoint = codePoint << 6 | (next & 0x3F);
            }
            if (whole) {
                text.appendCodePoint(codePoint);
            } else {
                text.append('\uFFFD');
            }
            i = j;
        }
        return text.toString();
    }

    @Test
    void loneSurrogatesEncodeAsTheReplacementCharacter() {
        int[] replacement = gpt2.encodeOrdinary("a\uFFFDb");
        assertArrayEquals(replacement, gpt2.encodeOrdinary("a\uD800b"));
        assertArrayEquals(replacement, gpt2.encodeOrdinary("a\uDC00b"));
        assertArrayEquals(gpt2.encodeOrdinary("\uFFFD\uFFFD x"), gpt2.encodeOrdinary("\uDC00\uD800 x"));
        assertArrayEquals(gpt2.encodeOrdinary("x\uFFFD"), gpt2.encodeOrdinary("x\uD83D"));
        assertEquals("a\uFFFDb", gpt2.decode(gpt2.encodeOrdinary("a\uD800b")));
    }

    @Test
    void idsOutOfRangeNameTheIdAndTheVocabularySize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gpt2.decode(new int[] {1, 2, 50257}));
        assertTrue(e.getMessage().contains("50257") && e.getMessage().contains("index 2")
                && e.getMessage().contains("has 50257 ids"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> gpt2.decode(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> gpt2.tokenBytes(60000));
        assertThrows(IllegalArgumentException.class, () -> gpt2.streamingDecoder().push(-5));
    }

    @Test
    void tokenBytesAreTheRawBytes() {
        assertArrayEquals(" world".getBytes(StandardCharsets.UTF_8), gpt2.tokenBytes(995));
        assertArrayEquals("<|endoftext|>".getBytes(StandardCharsets.UTF_8), gpt2.tokenBytes(50256));
        assertArrayEquals(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, gpt2.tokenBytes(47249));
    }
}
