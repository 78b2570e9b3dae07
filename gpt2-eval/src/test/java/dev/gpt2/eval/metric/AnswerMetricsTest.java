package dev.gpt2.eval.metric;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The rules of the official SQuAD v2.0 evaluation script ({@code evaluate-v2.0.py}) and CoQA's
 * {@code evaluate-v1.0.py}: normalize_answer, compute_exact, compute_f1, and CoQA's leave-one-out turn score. The
 * expected values follow from those definitions by hand.
 */
class AnswerMetricsTest {

    @Test
    void normalizationDropsCasePunctuationAndArticles() {
        assertEquals("eiffel tower", AnswerMetrics.normalize("The Eiffel  Tower!"));
        assertEquals("cats dogs", AnswerMetrics.normalize("A cat's, an dog's"
                .replace("cat's", "cats").replace("dog's", "dogs")));
        assertEquals("theatre", AnswerMetrics.normalize("the theatre"));
        assertEquals("", AnswerMetrics.normalize("a an the ."));
    }

    @Test
    void exactMatchAfterNormalization() {
        assertEquals(1, AnswerMetrics.exactMatch("the Denver Broncos", "Denver Broncos."));
        assertEquals(0, AnswerMetrics.exactMatch("Denver", "Denver Broncos"));
        assertEquals(1, AnswerMetrics.maxExactMatch("Broncos", List.of("Denver Broncos", "broncos")));
    }

    @Test
    void wordsAndArticlesAreUnicodeAsInPython() {
        // Python 3's \b is Unicode: the "a" of "ça" is no article; str.split() splits at no-break spaces
        assertEquals("ça va", AnswerMetrics.normalize("Ça va"));
        assertEquals(0, AnswerMetrics.exactMatch("caféan", "café"));
        assertEquals(1, AnswerMetrics.exactMatch("New\u00A0York", "new york"));
        assertEquals(1, AnswerMetrics.f1("New York\u00A0", "New York"), 1e-12);
        assertEquals(1, AnswerMetrics.exactMatch("a\u001Cb", "a b"));
    }

    @Test
    void tokenF1() {
        // gold [cat, sat], prediction [cat, sat, down]: precision 2/3, recall 1, F1 0.8
        assertEquals(0.8, AnswerMetrics.f1("a cat sat down", "The cat sat"), 1e-12);
        // repeated words count with multiplicity: gold [to, be, or, not, to, be], prediction [to, be, to]
        // common = {to: 2, be: 1} = 3; precision 1, recall 1/2, F1 2/3
        assertEquals(2 / 3.0, AnswerMetrics.f1("to be to", "to be or not to be"), 1e-12);
        assertEquals(0, AnswerMetrics.f1("blue", "red"));
        // no-answer: empty agrees only with empty
        assertEquals(1, AnswerMetrics.f1("the", ""));
        assertEquals(0, AnswerMetrics.f1("", "red"));
    }

    @Test
    void coqaLeaveOneOutAveragesOverReferences() {
        // references ["white", "white", "white and blue"]; prediction "white":
        // leaving out #0 -> max(1, F1(white, white and blue) = 2*1*0.5/1.5 = 2/3) = 1; #1 -> 1; #2 -> 1; mean 1
        AnswerMetrics.Turn t = AnswerMetrics.coqaTurn("white", List.of("white", "white", "white and blue"));
        assertEquals(1, t.f1(), 1e-12);
        assertEquals(1, t.exactMatch(), 1e-12);
        // references ["white", "blue"]; prediction "white": leaving out #0 -> F1 vs blue = 0; #1 -> 1; mean 0.5
        AnswerMetrics.Turn u = AnswerMetrics.coqaTurn("white", List.of("white", "blue"));
        assertEquals(0.5, u.f1(), 1e-12);
        assertEquals(0.5, u.exactMatch(), 1e-12);
        AnswerMetrics.Turn single = AnswerMetrics.coqaTurn("a white cat", List.of("white"));
        assertEquals(2 * 0.5 / 1.5, single.f1(), 1e-12);
    }
}
