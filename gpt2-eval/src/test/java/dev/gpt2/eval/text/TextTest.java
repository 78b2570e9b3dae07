package dev.gpt2.eval.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextTest {

    @Test
    void wikitextDetokenizer() {
        assertEquals("== Career ==", Detokenizer.WIKITEXT.line(" = = Career = = "));
        assertEquals("He had a guest-starring role on the series The Bill in 2000.",
                Detokenizer.WIKITEXT.line(" He had a guest @-@ starring role on the series The Bill in 2000 . "));
        assertEquals("In 2006, it cost 1,500.5 (about) the \"Citizenship\" play's run.",
                Detokenizer.WIKITEXT.line(" In 2006 , it cost 1 @,@ 500 @.@ 5 ( about ) the \" Citizenship \" "
                        + "play 's run . "));
        assertEquals("the players' club", Detokenizer.WIKITEXT.line(" the players ' club "));
    }

    @Test
    void ptbDetokenizer() {
        assertEquals("no it wasn't black monday", Detokenizer.PTB.line(" no it was n't black monday "));
        assertEquals("the $N billion fund's managers", Detokenizer.PTB.line(" the $ N billion fund 's managers "));
    }

    @Test
    void ptbStyleDetokenizerForOneBillionWordAndCbt() {
        assertEquals("The U.S. Senate voted, and the bill isn't law (yet).",
                Detokenizer.PTB_STYLE.line("The U.S. Senate voted , and the bill is n't law -LRB- yet -RRB- ."));
        assertEquals("She said: \"It's over.\"", Detokenizer.PTB_STYLE.line("She said : `` It 's over . ''"));
        assertEquals("\"I like the mat,\" said the cat.",
                Detokenizer.PTB_STYLE.line("`` I like the mat , '' said the cat ."));
    }

    @Test
    void sentences() {
        assertEquals(List.of("The mayor spoke.", "\"It is done!\"", "Why?", "Next line"),
                Sentences.split(" The mayor spoke. \"It is done!\" Why?\nNext line"));
        assertEquals("A b.\nC d.\nE f.", Sentences.first("A b. C d. E f. G h.", 3));
        assertEquals("It cost 3.5 dollars.", Sentences.first("It cost 3.5 dollars. More", 1));
        assertEquals(List.of(), Sentences.split("  \n "));
    }

    @Test
    void words() {
        assertEquals("don't", Words.first(" don't stop"));
        assertEquals("well-known", Words.first("well-known."));
        assertEquals("cat", Words.first(" cat."));
        assertEquals("", Words.first(" , cat"));
        // tokens plus the end-of-line token; a blank line counts its end-of-line token only
        assertEquals(5, Words.countWithEndOfLine(" = Robert Boulter = "));
        assertEquals(1, Words.countWithEndOfLine(" "));
        // Python's len(line.split()) + 1: no-break and other Unicode spaces separate words too
        assertEquals(4, Words.countWithEndOfLine("a\u2003b\u00A0c"));
    }

    @Test
    void stopWords() {
        assertTrue(StopWords.contains(" The"));
        assertTrue(StopWords.contains("him "));
        assertFalse(StopWords.contains(" cat"));
    }
}
