package dev.gpt2.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecialTokensTest {
    private static final int[] EOT_AS_TEXT = {27, 91, 437, 1659, 5239, 91, 29};
    private final Gpt2Tokenizer gpt2 = Gpt2Tokenizer.gpt2();

    @Test
    void gpt2HasOneSpecialToken() {
        assertEquals(Map.of("<|endoftext|>", 50256), gpt2.specialTokens());
        assertEquals(Gpt2Tokenizer.END_OF_TEXT, gpt2.specialTokens().get("<|endoftext|>"));
        assertEquals(50257, gpt2.vocabSize());
        assertEquals("<|endoftext|>", gpt2.decode(new int[] {50256}));
    }

    @Test
    void allowedSpecialTokensBecomeTheirIds() {
        int[] expected = {64, 50256, 65, 50256};
        assertArrayEquals(expected, gpt2.encodeAllowingSpecial("a<|endoftext|>b<|endoftext|>"));
        assertArrayEquals(expected, gpt2.encode("a<|endoftext|>b<|endoftext|>", SpecialTokenPolicy.allowAll()));
        assertArrayEquals(expected, gpt2.encode("a<|endoftext|>b<|endoftext|>",
                SpecialTokenPolicy.allow("<|endoftext|>")));
        assertArrayEquals(new int[] {50256, 50256}, gpt2.encodeAllowingSpecial("<|endoftext|><|endoftext|>"));
        // the special token splits the text: " " before it is a piece of its own
        assertArrayEquals(new int[] {31373, 220, 50256, 6894}, gpt2.encodeAllowingSpecial("hello <|endoftext|>world"));
        assertEquals(4, gpt2.countTokens("a<|endoftext|>b<|endoftext|>", SpecialTokenPolicy.allowAll()));
    }

    @Test
    void ordinaryPolicySpellsSpecialTokensOut() {
        assertArrayEquals(EOT_AS_TEXT, gpt2.encodeOrdinary("<|endoftext|>"));
        assertArrayEquals(EOT_AS_TEXT, gpt2.encode("<|endoftext|>", SpecialTokenPolicy.ordinary()));
        assertEquals(7, gpt2.countTokensOrdinary("<|endoftext|>"));
    }

    @Test
    void disallowedSpecialTokenNamesTokenAndOffset() {
        DisallowedSpecialTokenException e = assertThrows(DisallowedSpecialTokenException.class,
                () -> gpt2.encode("héllo <|endoftext|> and <|endoftext|>"));
        assertEquals("<|endoftext|>", e.token());
        assertEquals(6, e.offset());
        assertTrue(e.getMessage().contains("<|endoftext|> at char offset 6"), e.getMessage());
        assertThrows(DisallowedSpecialTokenException.class, () -> gpt2.countTokens("x<|endoftext|>"));
        assertThrows(DisallowedSpecialTokenException.class,
                () -> gpt2.encode("x<|endoftext|>", SpecialTokenPolicy.disallowAll(), 1));
        assertArrayEquals(new int[] {87, 27, 91, 437, 1659, 5239, 91},
                gpt2.encode("x<|endoftext|", SpecialTokenPolicy.disallowAll()));
    }

    @Test
    void allowingATokenThatIsNotSpecialIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gpt2.encode("x", SpecialTokenPolicy.allow("<|im_start|>")));
        assertTrue(e.getMessage().contains("<|im_start|>") && e.getMessage().contains("<|endoftext|>"),
                e.getMessage());
    }

    @Test
    void parallelEncodingKeepsSpecialTokensWhole() {
        String doc = "The quick brown fox jumps over the lazy dog. ".repeat(9000);
        String text = doc + "<|endoftext|>" + doc + "<|endoftext|>" + doc;
        assertArrayEquals(gpt2.encodeAllowingSpecial(text), gpt2.encodeParallel(text, SpecialTokenPolicy.allowAll()));
        assertArrayEquals(gpt2.encodeOrdinary(text), gpt2.encodeParallel(text, SpecialTokenPolicy.ordinary()));
        assertThrows(DisallowedSpecialTokenException.class,
                () -> gpt2.encodeParallel(text, SpecialTokenPolicy.disallowAll()));
    }
}
