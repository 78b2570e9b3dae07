package dev.gpt2.eval.metric;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RougeTest {
    // google-research rouge/testdata/target.txt and prediction.txt, lines 1 and 2; rouge_scorer_test.py checks the
    // scores below against manual runs of ROUGE-1.5.5 (testRouge1/2/LAgainstRouge155, no stemming)
    private static final String TARGET_0 = "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing "
            + "Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L";
    private static final String PREDICTION_0 = "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl "
            + "jB-RPP'iyOIcUxi";
    private static final String TARGET_1 = "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion "
            + "psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing "
            + "UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN";
    private static final String PREDICTION_1 = "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier "
            + "LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD";

    @Test
    void againstRouge155() {
        Rouge.Scores s0 = Rouge.score(TARGET_0, PREDICTION_0);
        assertEquals(0.40741, s0.rouge1().recall(), 5e-6);
        assertEquals(0.68750, s0.rouge1().precision(), 5e-6);
        assertEquals(0.51163, s0.rouge1().f1(), 5e-6);
        assertEquals(0.39024, s0.rouge2().f1(), 5e-6);
        assertEquals(0.51163, s0.rougeL().f1(), 5e-6);
        Rouge.Scores s1 = Rouge.score(TARGET_1, PREDICTION_1);
        assertEquals(0.50000, s1.rouge1().f1(), 5e-6);
        assertEquals(0.29268, s1.rouge2().recall(), 5e-6);
        assertEquals(0.48000, s1.rouge2().precision(), 5e-6);
        assertEquals(0.36364, s1.rouge2().f1(), 5e-6);
        assertEquals(0.40476, s1.rougeL().recall(), 5e-6);
        assertEquals(0.65385, s1.rougeL().precision(), 5e-6);
        assertEquals(0.50000, s1.rougeL().f1(), 5e-6);
    }

    @Test
    void smallCasesFromRougeScorerTest() {
        // rouge_scorer_test.py: testRouge1, testRouge2, testRougeLConsecutive, testRougeLNonConsecutive, testRougeEmpty
        Rouge.Scores a = Rouge.score("testing one two", "testing");
        assertEquals(1, a.rouge1().precision(), 1e-12);
        assertEquals(1 / 3.0, a.rouge1().recall(), 1e-12);
        assertEquals(1 / 2.0, a.rouge1().f1(), 1e-12);
        assertEquals(2 / 3.0, Rouge.score("testing one two", "testing one").rouge2().f1(), 1e-12);
        assertEquals(4 / 5.0, Rouge.score("testing one two", "testing one").rougeL().f1(), 1e-12);
        assertEquals(4 / 5.0, Rouge.score("testing one two", "testing two").rougeL().f1(), 1e-12);
        Rouge.Scores empty = Rouge.score("testing one two", "");
        assertEquals(0, empty.rouge1().f1());
        assertEquals(0, empty.rouge2().f1());
        assertEquals(0, empty.rougeL().f1());
    }

    @Test
    void summaryLevelRougeLUnitesTheSubsequencesOfEachReferenceSentence() {
        // Lin (2004), section 3.2, and rouge_scorer_test.py testRougeLSum: reference "w1 w2 w3 w4 w5", candidate
        // sentences "w1 w2 w6 w7 w8" and "w1 w3 w8 w9 w5": union LCS w1 w2 w3 w5, recall 4/5, precision 4/10
        Rouge.Scores s = Rouge.score("w1 w2 w3 w4 w5", "w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5");
        assertEquals(0.8, s.rougeLsum().recall(), 1e-12);
        assertEquals(0.4, s.rougeLsum().precision(), 1e-12);
        assertEquals(0.8 * 0.4 * 2 / 1.2, s.rougeLsum().f1(), 1e-12);
        // a token counts at most as often as it occurs in each text: the candidate's one "a b" serves one sentence
        Rouge.Scores clipped = Rouge.score("a b\na b", "a b");
        assertEquals(0.5, clipped.rougeLsum().recall(), 1e-12);
        assertEquals(1, clipped.rougeLsum().precision(), 1e-12);
        // sentence order does not matter at the summary level, as it does for the LCS of the whole texts
        Rouge.Scores reordered = Rouge.score("the cat sat\nthe dog ran", "the dog ran\nthe cat sat");
        assertEquals(1, reordered.rougeLsum().f1(), 1e-12);
        assertEquals(0.5, reordered.rougeL().f1(), 1e-12);
        assertEquals(0, Rouge.score("a b", "\n\n").rougeLsum().f1());
    }

    @Test
    void tokenizerKeepsOnlyLowerCaseAlphanumerics() {
        assertEquals(List.of("the", "u", "s", "isn", "t", "100", "sure"), Rouge.tokens("The U.S. isn't 100% sure!"));
    }
}
