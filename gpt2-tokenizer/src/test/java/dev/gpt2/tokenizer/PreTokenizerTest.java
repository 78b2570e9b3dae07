package dev.gpt2.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written pre-tokenizer against GPT-2's pattern run by java.util.regex with Unicode classes. */
class PreTokenizerTest {
    /** GPT-2's pattern; under UNICODE_CHARACTER_CLASS, {@code \s} is Unicode White_Space, as in Python's regex. */
    private static final Pattern GPT2 = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    /** Characters where a simpler pre-tokenizer goes wrong, and some of every class. */
    private static final int[] ALPHABET = {
        'a', 'Z', 's', 't', 'r', 'e', 'v', 'm', 'l', 'd', 'S', 'T', 'R', 'E', 'L', 'D', '\'', '0', '7', ' ', ' ',
        '\t', '\n', '\r', 0x0B, 0x0C, 0x1C, 0x1F, 0x85, 0xA0, 0x1680, 0x2000, 0x200A, 0x200B, 0x2028, 0x2029,
        0x202F, 0x205F, 0x3000, 0xFEFF, 0x180E, '!', '.', ',', '-', '_', '€', 'é', 0x301, 0x2019, 0x2BC, 'ß', 'Ω',
        'ж', 'ا', '中', 'あ', 0xAC00, 0x0660, 0x00B2, 0x2160, 0x0BE6, 0x2155, 0x1F600, 0x1F44D, 0x1F3FB, 0x200D,
        0x10400, 0x1D7CE, 0x10107, 0x20000, 0x1F1FA, 0xE0067, 0xD800, 0xDC00, 0xFFFD, 0x02B0, 0x01C5
    };

    @Test
    void agreesWithTheRegexOnRandomTexts() {
        Random random = new Random(2019);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder sb = new StringBuilder();
            int len = random.nextInt(12);
            for (int i = 0; i < len; i++) {
                sb.appendCodePoint(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            String text = sb.toString();
            assertEquals(regexPieces(text), pieces(text), () -> "text " + escape(text));
        }
    }

    @Test
    void agreesWithTheRegexOnTheDevTexts() {
        for (Fixtures.Case c : Fixtures.devCases()) {
            assertEquals(regexPieces(c.text()), pieces(c.text()), () -> "line " + c.line());
        }
    }

    @Test
    void splitsAsGpt2Does() {
        assertEquals(List.of("Hello", ",", " world", "!"), pieces("Hello, world!"));
        assertEquals(List.of("I", "'m", " don", "'t", " DON", "'", "T"), pieces("I'm don't DON'T"));
        assertEquals(List.of("a", "  ", " b", "  "), pieces("a   b  "));
        assertEquals(List.of("x", "\t", "\n", "y"), pieces("x\t\ny"));
        assertEquals(List.of("12", "\u00A0", "\u00A0", "34"), pieces("12\u00A0\u00A034"));
        assertEquals(List.of("\uD801\uDC00\uD801\uDC01", " \uD83D\uDE00"),
                pieces("\uD801\uDC00\uD801\uDC01 \uD83D\uDE00"));
    }

    @Test
    void safeCutsDoNotChangeThePieces() {
        String text = Fixtures.devCases().stream().map(Fixtures.Case::text).reduce("", String::concat);
        List<String> whole = pieces(text);
        List<String> cut = new ArrayList<>();
        int from = 0;
        for (int i = 1; i < text.length(); i++) {
            if (PreTokenizer.isSafeCut(text, i) && i - from > 1000) {
                cut.addAll(pieces(text.substring(from, i)));
                from = i;
            }
        }
        cut.addAll(pieces(text.substring(from)));
        assertEquals(whole, cut);
    }

    @Test
    void aSafeCutSplitsTheRegexPiecesOfRandomTextsExactly() {
        Random random = new Random(1997);
        int cuts = 0;
        for (int n = 0; n < 20_000; n++) {
            StringBuilder sb = new StringBuilder();
            int len = 2 + random.nextInt(20);
            for (int i = 0; i < len; i++) {
                sb.appendCodePoint(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            String text = sb.toString();
            List<String> whole = regexPieces(text);
            for (int i = 1; i < text.length(); i++) {
                if (PreTokenizer.isSafeCut(text, i)) {
                    List<String> parts = new ArrayList<>(regexPieces(text.substring(0, i)));
                    parts.addAll(regexPieces(text.substring(i)));
                    assertEquals(whole, parts, "cut at " + i + " of " + text.codePoints()
                            .mapToObj(Integer::toHexString).toList());
                    cuts++;
                }
            }
        }
        assertTrue(cuts > 50_000, "cuts checked: " + cuts);
        assertFalse(PreTokenizer.isSafeCut("don't", 4), "' then t: a contraction");
        assertFalse(PreTokenizer.isSafeCut("a  b", 2), "inside a whitespace run");
        assertFalse(PreTokenizer.isSafeCut("\uD83D\uDE00", 1), "inside a surrogate pair");
        assertTrue(PreTokenizer.isSafeCut("中文，中文", 3), "other then letter");
        assertTrue(PreTokenizer.isSafeCut("abc\n", 3), "whitespace after a letter");
    }

    static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            int end = PreTokenizer.pieceEnd(text, i, text.length());
            out.add(text.substring(i, end));
            i = end;
        }
        return out;
    }

    private static List<String> regexPieces(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = GPT2.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.chars().forEach(c -> sb.append(String.format("\\u%04X", c)));
        return sb.toString();
    }
}
