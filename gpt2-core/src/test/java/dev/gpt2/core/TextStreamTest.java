package dev.gpt2.core;

import dev.gpt2.tokenizer.StreamingDecoder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stop strings and held-back text, over a decoder whose token i is the i-th character of a string. */
class TextStreamTest {
    private static final String ALPHABET = "abcdefghij\n.";

    /** Token i decodes to ALPHABET[i]; token 99 is half a character (completed by the next token, as U+00E9). */
    private static StreamingDecoder decoder() {
        return new StreamingDecoder() {
            boolean half;

            @Override
            public String push(int id) {
                if (id == 99) {
                    half = true;
                    return "";
                }
                String s = (half ? "\u00e9" : "") + ALPHABET.charAt(id);
                half = false;
                return s;
            }

            @Override
            public String finish() {
                String s = half ? "\ufffd" : "";
                half = false;
                return s;
            }
        };
    }

    private static int[] ids(String text) {
        return text.chars().map(ALPHABET::indexOf).toArray();
    }

    @Test
    void stopStringEndsTheTextBeforeIt() {
        TextStream s = new TextStream(decoder(), 100, List.of("cd", "\n\n"));
        List<String> pieces = new ArrayList<>();
        for (int id : ids("abc")) {
            pieces.add(s.push(id));
        }
        // "c" could start "cd": held back
        assertEquals(List.of("a", "b", ""), pieces);
        assertEquals("", s.push(ids("d")[0]));
        assertTrue(s.stopped());
        assertEquals("ab", s.text());
    }

    @Test
    void heldBackTextIsReleasedWhenItCannotBeAStop() {
        TextStream s = new TextStream(decoder(), 100, List.of("\n\n", "abc"));
        assertEquals("", s.push(ids("\n")[0]));
        assertEquals("\n", s.push(ids("a")[0]));   // "a" could start "abc": held back
        assertFalse(s.stopped());
        assertEquals("", s.push(ids("b")[0]));      // "ab" could start "abc"
        assertEquals("ab.", s.push(ids(".")[0]));
        assertEquals("", s.push(ids("\n")[0]));
        assertEquals("\n", s.finish());           // the end releases what was held
        assertEquals("\nab.\n", s.text());
    }

    @Test
    void incompleteCharactersWaitForTheirBytes() {
        TextStream s = new TextStream(decoder(), 100, List.of());
        assertEquals("a", s.push(0));
        assertEquals("", s.push(99));
        assertEquals("\u00e9b", s.push(1));
        assertEquals("", s.push(99));
        assertEquals("\ufffd", s.finish());
        assertEquals("a\u00e9b\ufffd", s.text());
    }

    /** The tail flushed at the end (an incomplete character, as U+FFFD) completes a stop string: cut there too. */
    @Test
    void finishStopsAtAStopStringTheFlushedTailCompletes() {
        TextStream s = new TextStream(decoder(), 100, List.of("b\ufffd"));
        assertEquals("a", s.push(0));
        assertEquals("", s.push(1));          // "b" could start the stop: held back
        assertEquals("", s.push(99));         // half a character
        assertFalse(s.stopped());
        assertEquals("", s.finish());         // "b" + U+FFFD is the stop string
        assertTrue(s.stopped());
        assertEquals("a", s.text());
    }

    @Test
    void idsWithoutTextAreReplacementCharacters() {
        TextStream s = new TextStream(decoder(), 100, List.of());
        assertEquals("a", s.push(0));
        assertEquals("\ufffd", s.push(100));
        assertEquals("b", s.push(1));
    }

    @Test
    void stopStringAcrossTokens() {
        TextStream s = new TextStream(decoder(), 100, List.of("bcd"));
        StringBuilder out = new StringBuilder();
        for (int id : ids("abcbcd")) {
            out.append(s.push(id));
        }
        assertTrue(s.stopped());
        assertEquals("abc", out.toString());
        assertEquals("abc", s.text());
    }
}
