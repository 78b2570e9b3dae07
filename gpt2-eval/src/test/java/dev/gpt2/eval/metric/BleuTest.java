package dev.gpt2.eval.metric;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BleuTest {
    // sacreBLEU's README example, also its test/test_bleu.py (test_corpus_bleu_cases): two reference sets
    private static final List<List<String>> REFS = List.of(
            List.of("The dog bit the man.", "It was not unexpected.", "The man bit him first."),
            List.of("The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."));
    private static final List<String> HYPS = List.of(
            "The dog bit the man.", "It wasn't surprising.", "The man had just bitten him.");

    @Test
    void readmeExampleWith13aTokenization() {
        // sacreBLEU README: "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)";
        // test_bleu.py asserts 48.530827 within 1e-8
        Bleu.Result r = Bleu.corpus(HYPS, REFS);
        assertEquals(48.530827, r.score(), 1e-6);
        assertEquals(17, r.hypothesisLength());
        assertEquals(18, r.referenceLength());
        assertEquals(0.943, r.brevityPenalty(), 5e-4);
        assertEquals(82.4, r.precisions()[0], 0.05);
        assertEquals(37.5, r.precisions()[3], 0.05);
    }

    @Test
    void readmeExampleWithoutTokenization() {
        // test_bleu.py: {'tokenize': 'none'} gives 49.1919566
        Bleu.Result r = Bleu.corpus(HYPS, REFS, s -> Arrays.stream(s.split(" ")).filter(t -> !t.isEmpty()).toList());
        assertEquals(49.1919566, r.score(), 1e-6);
    }

    @Test
    void emptyHypothesesScoreZero() {
        // test_bleu.py: (('', '', ''), _refs, {}, 0.0)
        assertEquals(0.0, Bleu.corpus(List.of("", "", ""), REFS).score());
    }

    @Test
    void ngramStatistics() {
        // test_bleu.py test_case_statistics: counts [4, 2, 1, 0], totals [6, 5, 4, 3]
        Bleu.Result r = Bleu.corpus(List.of("am I am a character sequence"),
                List.of(List.of("I am a symbol string sequence a a")), s -> List.of(s.split(" ")));
        assertArrayEquals(new long[] {4, 2, 1, 0}, r.correct());
        assertArrayEquals(new long[] {6, 5, 4, 3}, r.total());
    }

    @Test
    void scoreFromStatistics() {
        // test_bleu.py test_case_scoring: compute_bleu([9, 7, 5, 3], [10, 8, 6, 4], 11, 11) = 0.8375922397 (x 100)
        Bleu.Result r = Bleu.fromStatistics(new long[] {9, 7, 5, 3}, new long[] {10, 8, 6, 4}, 11, 11);
        assertEquals(83.75922397, r.score(), 1e-7);
    }

    @Test
    void expSmoothingHalvesEachMissingOrder() {
        // mteval-v13a / sacreBLEU 'exp': the k-th order without a match gets precision 100 / (2^k * total)
        Bleu.Result r = Bleu.fromStatistics(new long[] {3, 1, 0, 0}, new long[] {4, 3, 2, 1}, 4, 4);
        assertEquals(100.0 / (2 * 2), r.precisions()[2], 1e-12);
        assertEquals(100.0 / (4 * 1), r.precisions()[3], 1e-12);
        double expected = Math.exp((Math.log(75) + Math.log(100.0 / 3) + Math.log(25) + Math.log(25)) / 4);
        assertEquals(expected, r.score(), 1e-9);
    }

    @Test
    void tokenizer13aSplitsPunctuationButNotNumbers() {
        // mteval-v13a rules: "." and "," stay inside numbers, "-" after a digit is split, &quot; is unescaped;
        // apostrophes and other hyphens are not in its punctuation classes
        assertEquals(List.of("It", "cost", "$", "3.50", ",", "or", "1,000", "-", "odd", "\"", "units", "\"", "."),
                Tokenizer13a.tokenize("It cost $3.50, or 1,000-odd &quot;units&quot;."));
        assertEquals(List.of("wasn't", "e-mail"), Tokenizer13a.tokenize("wasn't e-mail"));
        assertEquals(List.of(), Tokenizer13a.tokenize("  "));
        // white space is Python's: the separators U+001C..U+001F split, a trailing no-break space is stripped
        assertEquals(List.of("a", "b"), Tokenizer13a.tokenize("a\u001Cb"));
        assertEquals(List.of("a-"), Tokenizer13a.tokenize("a-\n\u00A0"));
    }

    @Test
    void emptyReferencesAreLeftOutAsSacreBleuDoes() {
        // sacreBLEU 2: refs [["the cat sat on the mat today and then left"], [""]] -> 36.79 (reference length 10)
        Bleu.Result r = Bleu.corpus(List.of("the cat sat on the"),
                List.of(List.of("the cat sat on the mat today and then left"), List.of("")));
        assertEquals(10, r.referenceLength());
        assertEquals(36.79, r.score(), 0.005);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Bleu.corpus(List.of("a b", "c"), List.of(List.of("a b", ""))));
        assertTrue(e.getMessage().startsWith("segment 1 has no reference"), e.getMessage());
    }
}
